// Keys and key loading: every accepted format, the algorithms each key type
// may verify, and every refusal. Keys are generated here with OpenSSL, so
// the tests need no fixture files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/base64url.hpp"
#include "core/json.hpp"
#include "core/key.hpp"
#include "core/key_loader.hpp"

namespace authjwt {
namespace {

using X509Ptr = OsslPtr<X509, X509_free>;
using EncoderCtxPtr = OsslPtr<OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free>;

const AlgSet kRsaAlgs = AlgSet::family(AlgFamily::RsaPkcs1)
                        | AlgSet::family(AlgFamily::RsaPss);
const AlgSet kHmacAlgs = AlgSet::family(AlgFamily::Hmac);

// RFC 7515 A.1: the HMAC key, the signing input and its HS256 signature.
const char kA1Key[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcg"
    "UuTwjAzZr1Z9CAow";
const char kA1SigningInput[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiO"
    "jEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const char kA1Signature[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// RFC 7515 A.2: the RSA public JWK, the signing input and its RS256
// signature.
const char kA2Jwk[] =
    R"({"kty":"RSA",)"
    R"("n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx)"
    R"(HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs)"
    R"(D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH)"
    R"(SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV)"
    R"(MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8)"
    R"(NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",)"
    R"("e":"AQAB"})";
const char kA2SigningInput[] =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogI"
    "mh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const char kA2Signature[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4"
    "Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOL"
    "n6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipU"
    "TI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// ---------------------------------------------------------------------
// Key material made with OpenSSL

PkeyPtr shared(EVP_PKEY *pkey)
{
    EVP_PKEY_up_ref(pkey);
    return PkeyPtr(pkey);
}

EVP_PKEY *generateRsa(std::size_t bits)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits);
    EXPECT_NE(pkey, nullptr);
    return pkey;
}

// EVP_PKEY_Q_keygen knows no RSA-PSS in OpenSSL 3.0. With md, the key is
// restricted to that digest (RFC 4055).
// An RSA-PSS key, restricted to md (and MGF1 with mgf1Md) when given.
EVP_PKEY *generatePss(const char *md = nullptr, const char *mgf1Md = nullptr)
{
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
    EVP_PKEY *pkey = nullptr;

    EXPECT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
    if (md != nullptr) {
        EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(ctx.get(), md,
                                                          nullptr),
                  1);
    }
    if (mgf1Md != nullptr) {
        EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(ctx.get(),
                                                               mgf1Md),
                  1);
    }
    EXPECT_EQ(EVP_PKEY_generate(ctx.get(), &pkey), 1);
    return pkey;
}

EVP_PKEY *generateEc(const char *curve)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
    EXPECT_NE(pkey, nullptr);
    return pkey;
}

EVP_PKEY *generateOther(const char *type)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    EXPECT_NE(pkey, nullptr);
    return pkey;
}

// Generating RSA keys is slow: each kind is made once for all tests.
struct TestKeys {
    PkeyPtr rsa2048{generateRsa(2048)};
    PkeyPtr rsa2048b{generateRsa(2048)};
    PkeyPtr rsa1024{generateRsa(1024)};
    PkeyPtr rsaPss{generatePss()};
    PkeyPtr rsaPss384{generatePss("SHA384", "SHA384")};
    // restricted to SHA-384 but MGF1 left at OpenSSL's default, SHA-1
    PkeyPtr rsaPss384Mgf1Sha1{generatePss("SHA384")};
    PkeyPtr p256{generateEc("P-256")};
    PkeyPtr p384{generateEc("P-384")};
    PkeyPtr p521{generateEc("P-521")};
    PkeyPtr secp256k1{generateEc("secp256k1")};
    PkeyPtr ed25519{generateOther("ED25519")};
    PkeyPtr ed448{generateOther("ED448")};
    PkeyPtr x25519{generateOther("X25519")};
};

const TestKeys &keys()
{
    static const TestKeys k;
    return k;
}

std::string bioText(BIO *bio)
{
    char *data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string publicPem(EVP_PKEY *pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), pkey), 1);
    return bioText(bio.get());
}

std::string privatePem(EVP_PKEY *pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0,
                                       nullptr, nullptr),
              1);
    return bioText(bio.get());
}

// PKCS#1 "RSA PUBLIC KEY", written through the encoder API because
// PEM_write_bio_RSAPublicKey is deprecated.
std::string rsaPublicPem(EVP_PKEY *pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(
        pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr));
    EXPECT_NE(ctx, nullptr);
    EXPECT_EQ(OSSL_ENCODER_to_bio(ctx.get(), bio.get()), 1);
    return bioText(bio.get());
}

// A self-signed certificate for pkey.
std::string certificatePem(EVP_PKEY *pkey)
{
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), pkey);

    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC,
        reinterpret_cast<const unsigned char *>("key test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);

    // EdDSA signs the message itself and takes no digest.
    const EVP_MD *md = EVP_PKEY_is_a(pkey, "ED25519")
                               || EVP_PKEY_is_a(pkey, "ED448")
                           ? nullptr
                           : EVP_sha256();
    EXPECT_GT(X509_sign(cert.get(), pkey, md), 0);

    BioPtr bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_X509(bio.get(), cert.get()), 1);
    return bioText(bio.get());
}

std::string bnParam(EVP_PKEY *pkey, const char *name, int pad = 0)
{
    BIGNUM *raw = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, name, &raw), 1);
    BignumPtr bn(raw);

    int size = pad > 0 ? pad : BN_num_bytes(bn.get());
    std::string bytes(static_cast<std::size_t>(size), '\0');
    BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(bytes.data()),
                 size);
    return encodeBase64Url(bytes);
}

// JWK text for a key; extra is spliced in as further members.
std::string rsaJwk(EVP_PKEY *pkey, const std::string &extra = "")
{
    return R"({"kty":"RSA","n":")" + bnParam(pkey, OSSL_PKEY_PARAM_RSA_N)
           + R"(","e":")" + bnParam(pkey, OSSL_PKEY_PARAM_RSA_E) + "\""
           + extra + "}";
}

std::string ecJwk(EVP_PKEY *pkey, const char *crv, int size,
                  const std::string &extra = "")
{
    return R"({"kty":"EC","crv":")" + std::string(crv) + R"(","x":")"
           + bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size) + R"(","y":")"
           + bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size) + "\"" + extra
           + "}";
}

std::string okpJwk(EVP_PKEY *pkey, const char *crv,
                   const std::string &extra = "")
{
    std::size_t len = 0;
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(pkey, nullptr, &len), 1);
    std::string raw(len, '\0');
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(
                  pkey, reinterpret_cast<unsigned char *>(raw.data()), &len),
              1);
    return R"({"kty":"OKP","crv":")" + std::string(crv) + R"(","x":")"
           + encodeBase64Url(raw) + "\"" + extra + "}";
}

std::string octJwk(const std::string &secret, const std::string &extra = "")
{
    return R"({"kty":"oct","k":")" + encodeBase64Url(secret) + "\"" + extra
           + "}";
}

std::string jwks(const std::vector<std::string> &members)
{
    std::string out = R"({"keys":[)";
    for (std::size_t i = 0; i < members.size(); i++) {
        out += (i == 0 ? "" : ",") + members[i];
    }
    return out + "]}";
}

// An RSA public key from any modulus and exponent, as a hostile file could
// describe it.
PkeyPtr rsaFromComponents(const BIGNUM *n, unsigned long exponent)
{
    BignumPtr e(BN_new());
    BN_set_word(e.get(), exponent);

    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));

    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY *pkey = nullptr;
    EXPECT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
    EXPECT_EQ(EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY,
                                params.get()),
              1);
    return PkeyPtr(pkey);
}

PkeyPtr rsaWithExponent(EVP_PKEY *base, unsigned long exponent)
{
    BIGNUM *raw = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(base, OSSL_PKEY_PARAM_RSA_N, &raw), 1);
    BignumPtr n(raw);
    return rsaFromComponents(n.get(), exponent);
}

// A PEM block holding arbitrary DER.
std::string pemBlock(const char *name, const std::string &der)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    // Returns the number of bytes written.
    EXPECT_GT(PEM_write_bio(bio.get(), name, "",
                            reinterpret_cast<const unsigned char *>(
                                der.data()),
                            static_cast<long>(der.size())),
              0);
    return bioText(bio.get());
}

std::string publicKeyDer(EVP_PKEY *pkey)
{
    unsigned char *der = nullptr;
    int len = i2d_PUBKEY(pkey, &der);
    EXPECT_GT(len, 0);
    std::string out(reinterpret_cast<char *>(der),
                    static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

std::string exponentJwk(EVP_PKEY *base, const std::string &e)
{
    return R"({"kty":"RSA","n":")" + bnParam(base, OSSL_PKEY_PARAM_RSA_N)
           + R"(","e":")" + e + "\"}";
}

// ---------------------------------------------------------------------
// Assertions

::testing::AssertionResult hasPhrase(const std::string &error,
                                     const std::string &phrase)
{
    if (error.find(phrase) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "\"" << error << "\" lacks \"" << phrase << "\"";
}

// The one key a load must yield.
Key onlyKey(KeyLoad &&load)
{
    EXPECT_TRUE(load.ok()) << load.error;
    EXPECT_EQ(load.keys.size(), 1u);
    if (load.keys.size() != 1) {
        // No key to hand back: stop here rather than crash later.
        std::abort();
    }
    return std::move(load.keys.front());
}

KeyLoad loadText(const std::string &text, AlgSet allowed = AlgSet::all())
{
    KeyLoad load = loadKeyText(text, "conf/k", allowed);
    // The shared error queue must be left clean for nginx's TLS code.
    EXPECT_EQ(ERR_peek_error(), 0u);
    return load;
}

std::string loadError(const std::string &text, AlgSet allowed = AlgSet::all())
{
    KeyLoad load = loadText(text, allowed);
    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(load.keys.empty());
    return load.error;
}

bool samePublicKey(const Key &key, EVP_PKEY *expected)
{
    return key.pkey() != nullptr && EVP_PKEY_eq(key.pkey(), expected) == 1;
}

std::string hmacWith(const Key &key, Alg alg, const std::string &input)
{
    const EVP_MAC_CTX *prepared = key.hmacContext(alg);
    EXPECT_NE(prepared, nullptr);
    MacCtxPtr ctx(EVP_MAC_CTX_dup(prepared));
    EXPECT_EQ(EVP_MAC_update(ctx.get(),
                             reinterpret_cast<const unsigned char *>(
                                 input.data()),
                             input.size()),
              1);
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    EXPECT_EQ(EVP_MAC_final(ctx.get(), out, &len, sizeof(out)), 1);
    return std::string(reinterpret_cast<char *>(out), len);
}

bool rsaVerifies(const Key &key, const std::string &input,
                 const std::string &signature)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    bool ok = EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr,
                                   nullptr, key.pkey(), nullptr) == 1
           && EVP_DigestVerify(ctx.get(),
                               reinterpret_cast<const unsigned char *>(
                                   signature.data()),
                               signature.size(),
                               reinterpret_cast<const unsigned char *>(
                                   input.data()),
                               input.size()) == 1;
    ERR_clear_error();
    return ok;
}

// ---------------------------------------------------------------------
// Key::fromSecret and loadSecret

TEST(KeySecret, ThirtyTwoBytesVerifyHs256Only)
{
    std::string secret(32, 's');
    const Key &key = onlyKey(loadSecret(secret, SecretEncoding::Utf8,
                                        AlgSet::all()));

    EXPECT_EQ(key.type(), KeyType::Oct);
    EXPECT_EQ(key.algs(), AlgSet::of(Alg::HS256));
    EXPECT_EQ(key.secret(), secret);
    EXPECT_EQ(key.pkey(), nullptr);
    EXPECT_NE(key.hmacContext(Alg::HS256), nullptr);
    EXPECT_EQ(key.hmacContext(Alg::HS384), nullptr);
    EXPECT_EQ(key.hmacContext(Alg::HS512), nullptr);
    EXPECT_EQ(key.hmacContext(Alg::RS256), nullptr);
}

// RFC 7518 3.2: a key of the hash size or larger.
TEST(KeySecret, LengthDecidesTheHmacAlgorithms)
{
    KeyLoad l48 = loadSecret(std::string(48, 'x'), SecretEncoding::Utf8,
                             AlgSet::all());
    EXPECT_EQ(onlyKey(std::move(l48)).algs(),
              AlgSet::of(Alg::HS256) | AlgSet::of(Alg::HS384));

    KeyLoad l64 = loadSecret(std::string(64, 'x'), SecretEncoding::Utf8,
                             AlgSet::all());
    const Key &key = onlyKey(std::move(l64));
    EXPECT_EQ(key.algs(), kHmacAlgs);
    for (Alg alg : {Alg::HS256, Alg::HS384, Alg::HS512}) {
        EXPECT_NE(key.hmacContext(alg), nullptr);
    }
}

TEST(KeySecret, AllowedNarrowsTheAlgorithms)
{
    KeyLoad load = loadSecret(std::string(64, 'x'), SecretEncoding::Utf8,
                              AlgSet::of(Alg::HS512) | AlgSet::of(Alg::RS256));
    const Key &key = onlyKey(std::move(load));

    EXPECT_EQ(key.algs(), AlgSet::of(Alg::HS512));
    EXPECT_EQ(key.hmacContext(Alg::HS256), nullptr);
    EXPECT_NE(key.hmacContext(Alg::HS512), nullptr);
}

TEST(KeySecret, ShortSecretIsRefused)
{
    KeyLoad load = loadSecret(std::string(31, 'x'), SecretEncoding::Utf8,
                              AlgSet::all());

    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(hasPhrase(load.error, "has 31 bytes"));
    EXPECT_TRUE(hasPhrase(load.error, "at least 32"));
    EXPECT_FALSE(hasPhrase(load.error, "xxxxxxxx"));

    EXPECT_FALSE(loadSecret("", SecretEncoding::Utf8, AlgSet::all()).ok());
}

TEST(KeySecret, SecretTooShortForTheOnlyAllowedAlgorithm)
{
    KeyLoad load = loadSecret(std::string(32, 'x'), SecretEncoding::Utf8,
                              AlgSet::of(Alg::HS512));

    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(hasPhrase(load.error, "too short for HS512"));
}

TEST(KeySecret, SecretWithNoHmacAllowed)
{
    KeyLoad load = loadSecret(std::string(64, 'x'), SecretEncoding::Utf8,
                              AlgSet::of(Alg::RS256));

    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(hasPhrase(load.error, "none of them is allowed"));
}

TEST(KeySecret, FromSecretNamesTheSource)
{
    std::string error;
    std::optional<Key> key = Key::fromSecret("short", AlgSet::all(), "k1",
                                             "\"conf/s\"", error);

    EXPECT_FALSE(key);
    EXPECT_TRUE(hasPhrase(error, "HMAC secret in \"conf/s\" has 5 bytes"));

    key = Key::fromSecret(std::string(32, 'a'), AlgSet::all(), "k1",
                          "\"conf/s\"", error);
    ASSERT_TRUE(key);
    EXPECT_EQ(key->kid(), "k1");
    EXPECT_EQ(key->source(), "\"conf/s\"");
}

TEST(KeySecret, HexEncoding)
{
    std::string hex = "000102030405060708090a0b0c0d0e0f"
                      "A0B1C2D3E4F5A6B7C8D9EAFBFCFDFEFF";
    const Key &key = onlyKey(loadSecret(hex, SecretEncoding::Hex,
                                        AlgSet::all()));

    ASSERT_EQ(key.secret().size(), 32u);
    EXPECT_EQ(static_cast<unsigned char>(key.secret()[0]), 0x00);
    EXPECT_EQ(static_cast<unsigned char>(key.secret()[10]), 0x0a);
    EXPECT_EQ(static_cast<unsigned char>(key.secret()[16]), 0xa0);
    EXPECT_EQ(static_cast<unsigned char>(key.secret()[31]), 0xff);
}

TEST(KeySecret, BadHexIsRefusedWithoutShowingTheSecret)
{
    std::string odd(65, 'a');
    std::string badDigit = std::string(62, 'a') + "zz";

    for (const std::string &value : {odd, badDigit}) {
        KeyLoad load = loadSecret(value, SecretEncoding::Hex, AlgSet::all());
        EXPECT_FALSE(load.ok());
        EXPECT_TRUE(hasPhrase(load.error, "not valid hex"));
        EXPECT_FALSE(hasPhrase(load.error, "aaaa"));
    }
}

TEST(KeySecret, Base64Encodings)
{
    std::string secret(40, '\xfb');
    // Standard base64 of 0xfb bytes uses '+' and '/', base64url '-', '_'.
    std::string b64 = "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7"
                      "+w==";
    std::string b64url = encodeBase64Url(secret);

    EXPECT_EQ(onlyKey(loadSecret(b64, SecretEncoding::Base64,
                                 AlgSet::all())).secret(),
              secret);
    EXPECT_EQ(onlyKey(loadSecret(b64url, SecretEncoding::Base64Url,
                                 AlgSet::all())).secret(),
              secret);

    KeyLoad bad = loadSecret(b64url, SecretEncoding::Base64, AlgSet::all());
    EXPECT_FALSE(bad.ok());
    EXPECT_TRUE(hasPhrase(bad.error, "not valid base64"));

    bad = loadSecret(b64, SecretEncoding::Base64Url, AlgSet::all());
    EXPECT_FALSE(bad.ok());
    EXPECT_TRUE(hasPhrase(bad.error, "not valid base64url"));
}

// RFC 7515 A.1: the prepared context computes the published HS256 MAC.
TEST(KeySecret, HmacTemplateComputesRfc7515A1)
{
    const Key &key = onlyKey(loadSecret(kA1Key, SecretEncoding::Base64Url,
                                        AlgSet::all()));

    EXPECT_EQ(key.algs(), kHmacAlgs);
    EXPECT_EQ(encodeBase64Url(hmacWith(key, Alg::HS256, kA1SigningInput)),
              kA1Signature);
    // The template is only duplicated, never consumed.
    EXPECT_EQ(encodeBase64Url(hmacWith(key, Alg::HS256, kA1SigningInput)),
              kA1Signature);
    EXPECT_EQ(hmacWith(key, Alg::HS512, "x").size(), 64u);
}

// ---------------------------------------------------------------------
// Key::fromPublicKey

std::optional<Key> fromPublic(EVP_PKEY *pkey, std::string &error,
                              AlgSet allowed = AlgSet::all())
{
    std::optional<Key> key = Key::fromPublicKey(
        shared(pkey), allowed, "kid", "\"conf/k.pem\"", error);
    EXPECT_EQ(ERR_peek_error(), 0u);
    return key;
}

TEST(KeyPublic, EachTypeGetsItsAlgorithms)
{
    struct Case {
        EVP_PKEY *pkey;
        KeyType type;
        AlgSet algs;
    };
    const TestKeys &k = keys();
    const Case cases[] = {
        {k.rsa2048.get(), KeyType::Rsa, kRsaAlgs},
        {k.rsaPss.get(), KeyType::Rsa, AlgSet::family(AlgFamily::RsaPss)},
        {k.p256.get(), KeyType::Ec, AlgSet::of(Alg::ES256)},
        {k.p384.get(), KeyType::Ec, AlgSet::of(Alg::ES384)},
        {k.p521.get(), KeyType::Ec, AlgSet::of(Alg::ES512)},
        {k.ed25519.get(), KeyType::Okp, AlgSet::of(Alg::EdDSA)},
        {k.ed448.get(), KeyType::Okp, AlgSet::of(Alg::EdDSA)},
    };

    for (const Case &c : cases) {
        std::string error;
        std::optional<Key> key = fromPublic(c.pkey, error);
        ASSERT_TRUE(key) << error;
        EXPECT_EQ(key->type(), c.type);
        EXPECT_EQ(key->algs(), c.algs) << key->algs().names();
        EXPECT_EQ(key->pkey(), c.pkey);
        EXPECT_EQ(key->kid(), "kid");
        EXPECT_EQ(key->source(), "\"conf/k.pem\"");
        EXPECT_TRUE(key->secret().empty());
        EXPECT_EQ(key->hmacContext(Alg::HS256), nullptr);
    }
}

TEST(KeyPublic, AllowedNarrowsTheAlgorithms)
{
    std::string error;
    std::optional<Key> key = fromPublic(
        keys().rsa2048.get(), error,
        AlgSet::of(Alg::RS256) | AlgSet::of(Alg::PS512)
            | AlgSet::of(Alg::HS256));

    ASSERT_TRUE(key) << error;
    EXPECT_EQ(key->algs(), AlgSet::of(Alg::RS256) | AlgSet::of(Alg::PS512));
}

TEST(KeyPublic, NothingAllowedIsRefused)
{
    std::string error;

    EXPECT_FALSE(fromPublic(keys().p256.get(), error,
                            AlgSet::of(Alg::ES384)));
    EXPECT_TRUE(hasPhrase(error, "EC key in \"conf/k.pem\" can only verify "
                                 "ES256, and none of them is allowed"));

    EXPECT_FALSE(fromPublic(keys().rsa2048.get(), error, kHmacAlgs));
    EXPECT_TRUE(hasPhrase(error, "none of them is allowed"));
}

TEST(KeyPublic, WeakRsaIsRefused)
{
    std::string error;

    EXPECT_FALSE(fromPublic(keys().rsa1024.get(), error));
    EXPECT_TRUE(hasPhrase(error, "RSA key in \"conf/k.pem\" has 1024 bits; "
                                 "at least 2048 are required"));
}

// With e = 1 the "signature" of a message is its padded digest: anyone
// could forge one. e = 3 and even exponents are refused as well.
TEST(KeyPublic, WeakRsaExponentsAreRefused)
{
    for (unsigned long e : {1ul, 3ul, 17ul, 65536ul, 65538ul}) {
        std::string error;
        PkeyPtr pkey = rsaWithExponent(keys().rsa2048.get(), e);
        ASSERT_NE(pkey, nullptr);
        EXPECT_FALSE(fromPublic(pkey.get(), error)) << e;
        EXPECT_TRUE(hasPhrase(error, "weak public exponent")) << e;
    }

    std::string error;
    PkeyPtr pkey = rsaWithExponent(keys().rsa2048.get(), 65539);
    EXPECT_TRUE(fromPublic(pkey.get(), error)) << error;
}

// OpenSSL will not verify with such a modulus, so it is refused up front.
TEST(KeyPublic, HugeRsaIsRefused)
{
    BignumPtr n(BN_new());
    ASSERT_EQ(BN_set_bit(n.get(), 16384), 1);
    ASSERT_EQ(BN_set_bit(n.get(), 0), 1);
    PkeyPtr pkey = rsaFromComponents(n.get(), 65537);
    ASSERT_NE(pkey, nullptr);

    std::string error;
    EXPECT_FALSE(fromPublic(pkey.get(), error));
    EXPECT_TRUE(hasPhrase(error, "has 16385 bits; OpenSSL verifies with at "
                                 "most 16384"));
}

TEST(KeyPublic, OtherCurvesAndTypesAreRefused)
{
    std::string error;

    EXPECT_FALSE(fromPublic(keys().secp256k1.get(), error));
    EXPECT_TRUE(hasPhrase(error, "uses curve \"secp256k1\""));
    EXPECT_TRUE(hasPhrase(error, "only P-256, P-384 and P-521"));

    EXPECT_FALSE(fromPublic(keys().x25519.get(), error));
    EXPECT_TRUE(hasPhrase(error, "unsupported type \"X25519\""));
}

TEST(KeyPublic, NullKeyIsRefused)
{
    std::string error;
    std::optional<Key> key = Key::fromPublicKey(nullptr, AlgSet::all(), "",
                                                "\"x\"", error);

    EXPECT_FALSE(key);
    EXPECT_FALSE(error.empty());
}

// An RSA-PSS key restricted to one digest (RFC 4055) verifies only the
// matching PS* algorithm.
TEST(KeyPublic, RsaPssDigestRestriction)
{
    EVP_PKEY *pkey = keys().rsaPss384.get();
    std::string error;

    std::optional<Key> key = fromPublic(pkey, error);
    ASSERT_TRUE(key) << error;
    EXPECT_EQ(key->algs(), AlgSet::of(Alg::PS384));

    // Through PEM as well, since that is how such a key arrives.
    EXPECT_EQ(onlyKey(loadText(publicPem(pkey))).algs(),
              AlgSet::of(Alg::PS384));

    EXPECT_FALSE(fromPublic(pkey, error, AlgSet::of(Alg::PS256)));
    EXPECT_TRUE(hasPhrase(error, "RSA-PSS key in \"conf/k.pem\" can only "
                                 "verify PS384"));
}

// RFC 7518 3.5 requires MGF1 with the same hash; a key that fixes another
// MGF1 digest can verify no PS* token and is refused when loaded.
TEST(KeyPublic, RsaPssWithAnotherMgf1DigestIsRefused)
{
    std::string error;
    EXPECT_FALSE(fromPublic(keys().rsaPss384Mgf1Sha1.get(), error));
    EXPECT_TRUE(hasPhrase(error, "cannot be set up to verify PS384"));
}

// ---------------------------------------------------------------------
// PEM

TEST(KeyPem, PublicKeyBlocks)
{
    const TestKeys &k = keys();
    struct Case {
        EVP_PKEY *pkey;
        AlgSet algs;
    };
    const Case cases[] = {
        {k.rsa2048.get(), kRsaAlgs},
        {k.rsaPss.get(), AlgSet::family(AlgFamily::RsaPss)},
        {k.p256.get(), AlgSet::of(Alg::ES256)},
        {k.p384.get(), AlgSet::of(Alg::ES384)},
        {k.p521.get(), AlgSet::of(Alg::ES512)},
        {k.ed25519.get(), AlgSet::of(Alg::EdDSA)},
        {k.ed448.get(), AlgSet::of(Alg::EdDSA)},
    };

    for (const Case &c : cases) {
        KeyLoad load = loadText("\n  " + publicPem(c.pkey));
        const Key &key = onlyKey(std::move(load));
        EXPECT_TRUE(samePublicKey(key, c.pkey));
        EXPECT_EQ(key.algs(), c.algs);
        EXPECT_EQ(key.kid(), "");
        EXPECT_EQ(key.source(), "\"conf/k\"");
    }
}

TEST(KeyPem, RsaPublicKeyBlock)
{
    std::string pem = rsaPublicPem(keys().rsa2048.get());
    ASSERT_TRUE(hasPhrase(pem, "-----BEGIN RSA PUBLIC KEY-----"));

    const Key &key = onlyKey(loadText(pem));
    EXPECT_TRUE(samePublicKey(key, keys().rsa2048.get()));
    EXPECT_EQ(key.algs(), kRsaAlgs);
}

TEST(KeyPem, CertificateBlocks)
{
    const TestKeys &k = keys();

    for (EVP_PKEY *pkey : {k.rsa2048.get(), k.p384.get(), k.ed25519.get()}) {
        std::string pem = certificatePem(pkey);
        ASSERT_TRUE(hasPhrase(pem, "-----BEGIN CERTIFICATE-----"));
        const Key &key = onlyKey(loadText(pem));
        EXPECT_TRUE(samePublicKey(key, pkey));
    }

    std::string error = loadError(certificatePem(k.rsa1024.get()));
    EXPECT_TRUE(hasPhrase(error, "has 1024 bits"));
}

TEST(KeyPem, SeveralBlocksAreSeveralKeys)
{
    const TestKeys &k = keys();
    std::string text = "RSA key:\n" + publicPem(k.rsa2048.get())
                       + "\nEC key:\n" + publicPem(k.p256.get())
                       + certificatePem(k.ed448.get()) + "\n";
    KeyLoad load = loadText(text);

    ASSERT_TRUE(load.ok()) << load.error;
    ASSERT_EQ(load.keys.size(), 3u);
    EXPECT_TRUE(samePublicKey(load.keys[0], k.rsa2048.get()));
    EXPECT_TRUE(samePublicKey(load.keys[1], k.p256.get()));
    EXPECT_TRUE(samePublicKey(load.keys[2], k.ed448.get()));
    EXPECT_EQ(load.keys[1].source(), "\"conf/k\", PEM block 2");
}

TEST(KeyPem, AFaultyBlockFailsTheFileAndIsNamed)
{
    const TestKeys &k = keys();
    std::string error = loadError(publicPem(k.rsa2048.get())
                                  + publicPem(k.rsa1024.get()));

    EXPECT_TRUE(hasPhrase(error, "RSA key in \"conf/k\", PEM block 2 has "
                                 "1024 bits"));

    error = loadError(publicPem(k.p256.get()) + publicPem(k.secp256k1.get()));
    EXPECT_TRUE(hasPhrase(error, "PEM block 2"));
    EXPECT_TRUE(hasPhrase(error, "secp256k1"));
}

TEST(KeyPem, PrivateKeyBlocksAreRefused)
{
    std::string error = loadError(privatePem(keys().p256.get()));

    EXPECT_TRUE(hasPhrase(error, "PEM block \"PRIVATE KEY\" in \"conf/k\" "
                                 "is not supported"));
}

TEST(KeyPem, UndecodableBlocksAreRefused)
{
    // Valid base64 inside the armor, but not a SubjectPublicKeyInfo.
    std::string error = loadError("-----BEGIN PUBLIC KEY-----\n"
                                  "AAAAAAAA\n"
                                  "-----END PUBLIC KEY-----\n");
    EXPECT_TRUE(hasPhrase(error, "PEM block \"PUBLIC KEY\" in \"conf/k\" "
                                 "could not be decoded"));

    error = loadError("-----BEGIN RSA PUBLIC KEY-----\n"
                      "AAAAAAAA\n"
                      "-----END RSA PUBLIC KEY-----\n");
    EXPECT_TRUE(hasPhrase(error, "could not be decoded"));

    error = loadError("-----BEGIN CERTIFICATE-----\n"
                      "AAAAAAAA\n"
                      "-----END CERTIFICATE-----\n");
    EXPECT_TRUE(hasPhrase(error, "could not be decoded"));
}

// One DER encoding per key: trailing bytes mean the block is not what it
// claims to be.
TEST(KeyPem, TrailingBytesAfterTheDerAreRefused)
{
    std::string der = publicKeyDer(keys().p256.get());

    EXPECT_TRUE(onlyKey(loadText(pemBlock("PUBLIC KEY", der))).pkey());
    EXPECT_TRUE(hasPhrase(loadError(pemBlock("PUBLIC KEY", der + "x")),
                          "could not be decoded"));

    std::string pkcs1 = rsaPublicPem(keys().rsa2048.get());
    BioPtr bio(BIO_new_mem_buf(pkcs1.data(), static_cast<int>(pkcs1.size())));
    char *name = nullptr;
    char *header = nullptr;
    unsigned char *data = nullptr;
    long len = 0;
    ASSERT_EQ(PEM_read_bio(bio.get(), &name, &header, &data, &len), 1);
    std::string rsaDer(reinterpret_cast<char *>(data),
                       static_cast<std::size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);

    EXPECT_TRUE(onlyKey(loadText(pemBlock("RSA PUBLIC KEY", rsaDer))).pkey());
    EXPECT_TRUE(hasPhrase(loadError(pemBlock("RSA PUBLIC KEY",
                                             rsaDer + "xy")),
                          "could not be decoded"));
}

TEST(KeyPem, BrokenArmorIsRefused)
{
    std::string pem = publicPem(keys().p256.get());
    std::string truncated = pem.substr(0, pem.size() - 10);

    std::string error = loadError(truncated);
    EXPECT_TRUE(hasPhrase(error, "PEM data in \"conf/k\" is malformed"));

    std::string badBase64 = pem;
    badBase64[40] = '*';
    error = loadError(badBase64);
    EXPECT_TRUE(hasPhrase(error, "\"conf/k\""));
}

TEST(KeyText, EmptyAndGarbage)
{
    EXPECT_TRUE(hasPhrase(loadError(""), "key file \"conf/k\" is empty"));
    EXPECT_TRUE(hasPhrase(loadError(" \n\t\r\n"), "is empty"));
    EXPECT_TRUE(hasPhrase(loadError("hello, world\n"),
                          "no PEM block, JWK or JWK Set found in "
                          "\"conf/k\""));
    EXPECT_TRUE(hasPhrase(loadError(std::string("\0\1\2", 3)),
                          "no PEM block"));
}

TEST(KeyText, SourceIsQuotedAndEscaped)
{
    KeyLoad load = loadKeyText("", "dir/we\"ird\nname", AlgSet::all());

    EXPECT_TRUE(hasPhrase(load.error, "\"dir/we\\x22ird\\x0aname\""));
}

// ---------------------------------------------------------------------
// JWK

TEST(KeyJwk, Rfc7515A2RsaKeyVerifiesThePublishedSignature)
{
    const Key &key = onlyKey(loadText(kA2Jwk));

    EXPECT_EQ(key.type(), KeyType::Rsa);
    EXPECT_EQ(key.algs(), kRsaAlgs);
    EXPECT_EQ(EVP_PKEY_get_bits(key.pkey()), 2048);

    std::optional<std::string> signature = decodeBase64Url(kA2Signature);
    ASSERT_TRUE(signature);
    EXPECT_TRUE(rsaVerifies(key, kA2SigningInput, *signature));
    EXPECT_FALSE(rsaVerifies(key, kA1SigningInput, *signature));
}

TEST(KeyJwk, Rfc7515A1OctKey)
{
    std::string text = std::string(R"({"kty":"oct","k":")") + kA1Key
                       + R"(","kid":"hmac"})";
    const Key &key = onlyKey(loadText(text));

    EXPECT_EQ(key.type(), KeyType::Oct);
    EXPECT_EQ(key.kid(), "hmac");
    EXPECT_EQ(key.algs(), kHmacAlgs);
    EXPECT_EQ(encodeBase64Url(hmacWith(key, Alg::HS256, kA1SigningInput)),
              kA1Signature);
}

TEST(KeyJwk, EachKeyTypeRoundTrips)
{
    const TestKeys &k = keys();
    struct Case {
        std::string jwk;
        EVP_PKEY *pkey;
        KeyType type;
        AlgSet algs;
    };
    const Case cases[] = {
        {rsaJwk(k.rsa2048.get()), k.rsa2048.get(), KeyType::Rsa, kRsaAlgs},
        {ecJwk(k.p256.get(), "P-256", 32), k.p256.get(), KeyType::Ec,
         AlgSet::of(Alg::ES256)},
        {ecJwk(k.p384.get(), "P-384", 48), k.p384.get(), KeyType::Ec,
         AlgSet::of(Alg::ES384)},
        {ecJwk(k.p521.get(), "P-521", 66), k.p521.get(), KeyType::Ec,
         AlgSet::of(Alg::ES512)},
        {okpJwk(k.ed25519.get(), "Ed25519"), k.ed25519.get(), KeyType::Okp,
         AlgSet::of(Alg::EdDSA)},
        {okpJwk(k.ed448.get(), "Ed448"), k.ed448.get(), KeyType::Okp,
         AlgSet::of(Alg::EdDSA)},
    };

    for (const Case &c : cases) {
        const Key &key = onlyKey(loadText(c.jwk));
        EXPECT_TRUE(samePublicKey(key, c.pkey)) << c.jwk;
        EXPECT_EQ(key.type(), c.type);
        EXPECT_EQ(key.algs(), c.algs);
        EXPECT_EQ(key.kid(), "");
        EXPECT_EQ(key.source(), "\"conf/k\"");
    }
}

TEST(KeyJwk, KidUseAndKeyOps)
{
    const Key &key = onlyKey(loadText(
        rsaJwk(keys().rsa2048.get(),
               R"(,"kid":"2011-04-29","use":"sig",)"
               R"("key_ops":["sign","verify"])")));

    EXPECT_EQ(key.kid(), "2011-04-29");
}

TEST(KeyJwk, PrivateMembersAreIgnored)
{
    const Key &key = onlyKey(loadText(
        ecJwk(keys().p256.get(), "P-256", 32,
              R"(,"d":"not even base64url!","x5c":["ignored"])")));

    EXPECT_TRUE(samePublicKey(key, keys().p256.get()));
}

// RFC 7517 4.4 and RFC 8725 3.1: "alg" binds the key to one algorithm.
TEST(KeyJwk, AlgBindsTheKey)
{
    const TestKeys &k = keys();
    struct Case {
        std::string jwk;
        Alg alg;
    };
    const Case cases[] = {
        {rsaJwk(k.rsa2048.get(), R"(,"alg":"RS384")"), Alg::RS384},
        {rsaJwk(k.rsa2048.get(), R"(,"alg":"PS256")"), Alg::PS256},
        {ecJwk(k.p256.get(), "P-256", 32, R"(,"alg":"ES256")"), Alg::ES256},
        {okpJwk(k.ed25519.get(), "Ed25519", R"(,"alg":"EdDSA")"),
         Alg::EdDSA},
        {octJwk(std::string(64, 'k'), R"(,"alg":"HS384")"), Alg::HS384},
    };

    for (const Case &c : cases) {
        const Key &key = onlyKey(loadText(c.jwk));
        EXPECT_EQ(key.algs(), AlgSet::of(c.alg)) << c.jwk;
        if (key.type() == KeyType::Oct) {
            EXPECT_NE(key.hmacContext(c.alg), nullptr);
            EXPECT_EQ(key.hmacContext(Alg::HS256), nullptr);
        }
    }
}

TEST(KeyJwk, AlgMustFitTheKeyType)
{
    const TestKeys &k = keys();
    struct Case {
        std::string jwk;
        const char *phrase;
    };
    const Case cases[] = {
        {rsaJwk(k.rsa2048.get(), R"(,"alg":"HS256")"),
         R"("alg" "HS256" does not fit the key type (RSA))"},
        {rsaJwk(k.rsa2048.get(), R"(,"alg":"ES256")"), "does not fit"},
        {ecJwk(k.p256.get(), "P-256", 32, R"(,"alg":"ES384")"),
         R"("alg" "ES384" does not fit the key type (EC, curve "P-256"))"},
        {ecJwk(k.p384.get(), "P-384", 48, R"(,"alg":"RS256")"),
         "does not fit"},
        {okpJwk(k.ed25519.get(), "Ed25519", R"(,"alg":"ES256")"),
         "does not fit"},
        {octJwk(std::string(64, 'k'), R"(,"alg":"RS256")"),
         "does not fit the key type (oct)"},
    };

    for (const Case &c : cases) {
        std::string error = loadError(c.jwk);
        EXPECT_TRUE(hasPhrase(error, "JWK in \"conf/k\" is invalid"));
        EXPECT_TRUE(hasPhrase(error, c.phrase));
    }
}

TEST(KeyJwk, NoneAndUnknownAlgAreRefused)
{
    EVP_PKEY *rsa = keys().rsa2048.get();

    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"alg":"none")")),
                          "\"alg\" \"none\" is not a supported JWS "
                          "algorithm"));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"alg":"rs256")")),
                          "\"alg\" \"rs256\" is not a supported"));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"alg":256)")),
                          "\"alg\" is not a string"));
}

TEST(KeyJwk, OctSecretTooShortForItsAlg)
{
    std::string error = loadError(octJwk(std::string(32, 'k'),
                                         R"(,"alg":"HS512")"));

    EXPECT_TRUE(hasPhrase(error, "HMAC secret in \"conf/k\" has 32 bytes, "
                                 "too short for HS512"));

    error = loadError(octJwk(std::string(16, 'k')));
    EXPECT_TRUE(hasPhrase(error, "has 16 bytes; at least 32"));
}

TEST(KeyJwk, KeysNotForSignaturesAreRefusedAlone)
{
    EVP_PKEY *rsa = keys().rsa2048.get();

    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"use":"enc")")),
                          "is not a signature key: \"use\" is \"enc\""));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"key_ops":["sign"])")),
                          "\"key_ops\" lacks \"verify\""));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"key_ops":[])")),
                          "\"key_ops\" lacks \"verify\""));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"alg":"RSA-OAEP")")),
                          "is an encryption algorithm"));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"use":1)")),
                          "\"use\" is not a string"));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"key_ops":"verify")")),
                          "\"key_ops\" is not an array"));
    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(rsa, R"(,"key_ops":[1])")),
                          "\"key_ops\" holds a non-string"));
}

TEST(KeyJwk, UnsupportedTypesAndCurvesAreRefusedAlone)
{
    const TestKeys &k = keys();

    EXPECT_TRUE(hasPhrase(loadError(ecJwk(k.secp256k1.get(), "secp256k1",
                                          32)),
                          "has an unsupported EC curve \"secp256k1\""));
    EXPECT_TRUE(hasPhrase(loadError(okpJwk(k.x25519.get(), "X25519")),
                          "has an unsupported OKP curve \"X25519\""));
    EXPECT_TRUE(hasPhrase(loadError(R"({"kty":"AKP","pub":"AAAA"})"),
                          "unsupported key type \"kty\" \"AKP\""));
    EXPECT_TRUE(hasPhrase(loadError(R"({"n":"AQAB","e":"AQAB"})"),
                          "\"kty\" is missing"));
    EXPECT_TRUE(hasPhrase(loadError(R"({"kty":"EC","x":"AA","y":"AA"})"),
                          "\"crv\" is missing"));
}

TEST(KeyJwk, MalformedMembersAreRefused)
{
    const TestKeys &k = keys();
    std::string p256 = ecJwk(k.p256.get(), "P-256", 32);
    struct Case {
        std::string jwk;
        const char *phrase;
    };
    const Case cases[] = {
        {R"({"kty":"RSA","n":"ofg+","e":"AQAB"})",
         "member \"n\" is not valid base64url"},
        {R"({"kty":"RSA","n":"AQAB","e":"AQ=="})",
         "member \"e\" is not valid base64url"},
        {R"({"kty":"RSA","e":"AQAB"})", "member \"n\" is missing"},
        {R"({"kty":"RSA","n":"","e":"AQAB"})", "member \"n\" is empty"},
        {R"({"kty":"oct","k":5})", "member \"k\" is missing or not a string"},
        {R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})",
         "member \"x\" of an Ed25519 key must be 32 bytes"},
        {R"({"kty":"OKP","crv":"Ed448","x":"AAAA"})",
         "member \"x\" of an Ed448 key must be 57 bytes"},
        {ecJwk(k.p256.get(), "P-384", 32),
         "coordinates \"x\" and \"y\" of a P-384 key must be 48 bytes each"},
        {ecJwk(k.p256.get(), "P-256", 33), "must be 32 bytes each"},
        {ecJwk(k.p521.get(), "P-521", 65), "must be 66 bytes each"},
        {ecJwk(k.p384.get(), "P-256", 32), "\"x\""},
        {rsaJwk(k.rsa2048.get(), R"(,"kid":7)"), "\"kid\" is not a string"},
    };

    for (const Case &c : cases) {
        std::string error = loadError(c.jwk);
        EXPECT_TRUE(hasPhrase(error, "JWK in \"conf/k\" is invalid"));
        EXPECT_TRUE(hasPhrase(error, c.phrase)) << c.jwk;
    }
}

TEST(KeyJwk, PointOffTheCurveIsRefused)
{
    // (1, 1) is not on P-256.
    std::string one = encodeBase64Url(std::string(31, '\0') + "\x01");
    std::string jwk = R"({"kty":"EC","crv":"P-256","x":")" + one
                      + R"(","y":")" + one + "\"}";

    EXPECT_TRUE(hasPhrase(loadError(jwk), "is not on curve P-256"));
}

TEST(KeyJwk, WeakRsaIsRefused)
{
    EVP_PKEY *rsa = keys().rsa2048.get();

    EXPECT_TRUE(hasPhrase(loadError(rsaJwk(keys().rsa1024.get())),
                          "RSA key in \"conf/k\" has 1024 bits"));
    for (const char *e : {"AQ", "Aw", "AQAA", "AAEAAQ"}) {
        // AAEAAQ is 65537 with a leading zero octet: tolerated.
        bool ok = std::string(e) == "AAEAAQ";
        KeyLoad load = loadText(exponentJwk(rsa, e));
        EXPECT_EQ(load.ok(), ok) << e << ": " << load.error;
        if (!ok) {
            EXPECT_TRUE(hasPhrase(load.error, "weak public exponent"));
        }
    }
}

TEST(KeyJwk, AllowedNarrowsOrRefuses)
{
    EVP_PKEY *rsa = keys().rsa2048.get();

    const Key &key = onlyKey(loadText(rsaJwk(rsa), AlgSet::of(Alg::PS256)));
    EXPECT_EQ(key.algs(), AlgSet::of(Alg::PS256));

    std::string error = loadError(rsaJwk(rsa, R"(,"alg":"RS256")"),
                                  AlgSet::of(Alg::PS256));
    EXPECT_TRUE(hasPhrase(error, "JWK in \"conf/k\" can only verify RS256, "
                                 "and none of them is allowed"));
}

TEST(KeyJwk, LoadJwkTakesAParsedObject)
{
    Json doc = Json::parse(okpJwk(keys().ed25519.get(), "Ed25519",
                                  R"(,"kid":"ed")"));
    ASSERT_TRUE(doc);

    KeyLoad load = loadJwk(doc.get(), "inline", AlgSet::all());
    const Key &key = onlyKey(std::move(load));
    EXPECT_EQ(key.kid(), "ed");
    EXPECT_EQ(key.source(), "\"inline\"");

    Json array = Json::parse("[1]");
    ASSERT_TRUE(array);
    load = loadJwk(array.get(), "inline", AlgSet::all());
    EXPECT_TRUE(hasPhrase(load.error, "is not a JSON object"));
}

TEST(KeyJson, BadJsonIsRefused)
{
    EXPECT_TRUE(hasPhrase(loadError("{\"kty\":"),
                          "key file \"conf/k\" is not valid JSON"));
    EXPECT_TRUE(hasPhrase(loadError(R"({"kty":"RSA","kty":"EC"})"),
                          "is not valid JSON"));
    EXPECT_TRUE(hasPhrase(loadError("[" + rsaJwk(keys().rsa2048.get()) + "]"),
                          "neither a JWK nor a JWK Set"));

    std::string deep = "{\"a\":" + std::string(100, '[')
                       + std::string(100, ']') + "}";
    EXPECT_TRUE(hasPhrase(loadError(deep), "deeper than 32 levels"));
}

// ---------------------------------------------------------------------
// JWK Sets

TEST(KeyJwks, MixedSetSkipsKeysNotForSignatures)
{
    const TestKeys &k = keys();
    std::string text = jwks({
        rsaJwk(k.rsa2048.get(), R"(,"kid":"rsa","use":"sig")"),
        rsaJwk(k.rsa2048b.get(), R"(,"kid":"enc","use":"enc")"),
        rsaJwk(k.rsa2048b.get(), R"(,"kid":"oaep","alg":"RSA-OAEP-256")"),
        ecJwk(k.p256.get(), "P-256", 32, R"(,"kid":"ec","alg":"ES256")"),
        ecJwk(k.p384.get(), "P-384", 48, R"(,"key_ops":["encrypt"])"),
        ecJwk(k.secp256k1.get(), "secp256k1", 32, R"(,"kid":"k1")"),
        okpJwk(k.x25519.get(), "X25519", R"(,"kid":"x")"),
        R"({"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA","kid":"pq"})",
        okpJwk(k.ed25519.get(), "Ed25519", R"(,"kid":"ed")"),
        std::string(R"({"kty":"oct","kid":"hs","k":")") + kA1Key + "\"}",
    });
    KeyLoad load = loadText(text);

    ASSERT_TRUE(load.ok()) << load.error;
    ASSERT_EQ(load.keys.size(), 4u);
    EXPECT_TRUE(samePublicKey(load.keys[0], k.rsa2048.get()));
    EXPECT_EQ(load.keys[0].source(), "\"conf/k\", key 1 (kid \"rsa\")");
    EXPECT_EQ(load.keys[1].kid(), "ec");
    EXPECT_EQ(load.keys[1].source(), "\"conf/k\", key 4 (kid \"ec\")");
    EXPECT_EQ(load.keys[2].kid(), "ed");
    EXPECT_EQ(load.keys[3].kid(), "hs");

    KeySet set;
    for (Key &key : load.keys) {
        set.add(std::move(key));
    }
    EXPECT_EQ(set.keys().size(), 4u);
    EXPECT_EQ(set.algs(), kRsaAlgs | kHmacAlgs | AlgSet::of(Alg::ES256)
                              | AlgSet::of(Alg::EdDSA));
    for (const char *kid : {"rsa", "ec", "ed", "hs"}) {
        EXPECT_TRUE(set.hasKid(kid)) << kid;
    }
    for (const char *kid : {"enc", "oaep", "k1", "x", "pq", "", "RSA"}) {
        EXPECT_FALSE(set.hasKid(kid)) << kid;
    }
    EXPECT_NE(set.keys()[3].hmacContext(Alg::HS256), nullptr);
}

// A provider's set may hold keys for algorithms a location does not accept;
// the rest of the set still loads.
TEST(KeyJwks, KeysForDisallowedAlgorithmsAreSkipped)
{
    const TestKeys &k = keys();
    std::string text = jwks({
        ecJwk(k.p256.get(), "P-256", 32, R"(,"kid":"ec")"),
        rsaJwk(k.rsa2048.get(), R"(,"kid":"rsa","alg":"RS256")"),
        rsaJwk(k.rsa2048b.get(), R"(,"kid":"pss","alg":"PS256")"),
    });
    KeyLoad load = loadText(text, AlgSet::of(Alg::RS256));

    ASSERT_TRUE(load.ok()) << load.error;
    ASSERT_EQ(load.keys.size(), 1u);
    EXPECT_EQ(load.keys[0].kid(), "rsa");
    EXPECT_EQ(load.keys[0].algs(), AlgSet::of(Alg::RS256));
}

TEST(KeyJwks, SetWithoutUsableKeyIsRefused)
{
    const TestKeys &k = keys();
    std::string text = jwks({
        rsaJwk(k.rsa2048.get(), R"(,"use":"enc")"),
        rsaJwk(k.rsa2048.get(), R"(,"key_ops":["wrapKey"])"),
        ecJwk(k.secp256k1.get(), "secp256k1", 32),
        ecJwk(k.p256.get(), "P-256", 32),
    });
    std::string error = loadError(text, AlgSet::of(Alg::RS256));

    EXPECT_TRUE(hasPhrase(error, "JWK Set in \"conf/k\" has no usable key "
                                 "(2 not for signatures, 1 of an "
                                 "unsupported type or curve, 1 for "
                                 "algorithms not allowed here skipped)"));

    EXPECT_TRUE(hasPhrase(loadError(R"({"keys":[]})"),
                          "JWK Set in \"conf/k\" has no usable key"));
}

TEST(KeyJwks, MalformedKeyFailsTheSetAndIsNamed)
{
    const TestKeys &k = keys();
    std::string good = rsaJwk(k.rsa2048.get(), R"(,"kid":"a")");

    std::string error = loadError(jwks({good,
        rsaJwk(k.rsa1024.get(), R"(,"kid":"abc")")}));
    EXPECT_TRUE(hasPhrase(error, "RSA key in \"conf/k\", key 2 (kid \"abc\") "
                                 "has 1024 bits"));

    error = loadError(jwks({good, R"({"kty":"EC","crv":"P-256",)"
                                  R"("x":"AA","y":"AA"})"}));
    EXPECT_TRUE(hasPhrase(error, "JWK in \"conf/k\", key 2 is invalid: "
                                 "coordinates"));

    error = loadError(jwks({good, good, R"({"kty":"RSA","kid":"b",)"
                                        R"("n":"@@","e":"AQAB"})"}));
    EXPECT_TRUE(hasPhrase(error, "key 3 (kid \"b\") is invalid: member "
                                 "\"n\" is not valid base64url"));

    error = loadError(jwks({good, rsaJwk(k.rsa2048.get(),
                                         R"(,"alg":"none")")}));
    EXPECT_TRUE(hasPhrase(error, "key 2 is invalid: \"alg\" \"none\""));

    error = loadError(jwks({good, "\"not a key\""}));
    EXPECT_TRUE(hasPhrase(error, "JWK in \"conf/k\", key 2 is not a JSON "
                                 "object"));

    error = loadError(R"({"keys":{"kty":"oct"}})");
    EXPECT_TRUE(hasPhrase(error, "\"keys\" is not an array"));
}

TEST(KeyJwks, KidInMessagesIsEscaped)
{
    std::string error = loadError(jwks({
        R"({"kty":"RSA","kid":"a\"b\nc","n":"!","e":"AQAB"})"}));

    EXPECT_TRUE(hasPhrase(error, "key 1 (kid \"a\\x22b\\x0ac\")"));
}

// ---------------------------------------------------------------------
// KeySet

TEST(KeySetTest, EmptySet)
{
    KeySet set;

    EXPECT_TRUE(set.empty());
    EXPECT_TRUE(set.algs().empty());
    EXPECT_FALSE(set.hasKid(""));
    EXPECT_FALSE(set.hasKid("a"));
}

TEST(KeySetTest, AlgsAndKids)
{
    KeySet set;
    std::string error;

    std::optional<Key> ec = Key::fromPublicKey(
        shared(keys().p384.get()), AlgSet::all(), "ec", "\"e\"", error);
    std::optional<Key> hs = Key::fromSecret(std::string(48, 'h'),
                                            AlgSet::all(), "hs", "\"h\"",
                                            error);
    ASSERT_TRUE(ec && hs);
    set.add(std::move(*ec));
    set.add(std::move(*hs));

    EXPECT_FALSE(set.empty());
    EXPECT_EQ(set.algs(), AlgSet::of(Alg::ES384) | AlgSet::of(Alg::HS256)
                              | AlgSet::of(Alg::HS384));
    EXPECT_TRUE(set.hasKid("ec"));
    EXPECT_TRUE(set.hasKid("hs"));
    EXPECT_FALSE(set.hasKid("e"));
    EXPECT_FALSE(set.hasKid("ecc"));
    // Keys moved into the set keep their prepared MAC contexts.
    EXPECT_NE(set.keys()[1].hmacContext(Alg::HS384), nullptr);
}

// A point of small order makes an EdDSA check pass for forged signatures;
// a y at or above p is a second encoding of another point.
TEST(KeyLoaderJwk, RefusesSmallOrderAndNonCanonicalEdwardsPoints)
{
    auto hexJwk = [](const char *crv, const std::string &hex) {
        std::string bytes;
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr,
                                                 16));
        }
        return R"({"kty":"OKP","crv":")" + std::string(crv) + R"(","x":")"
               + encodeBase64Url(bytes) + R"("})";
    };
    std::string ff30(60, 'f');
    const std::string weak25519[] = {
        "01" + std::string(62, '0'),                      // identity
        "01" + std::string(60, '0') + "80",               // with sign bit
        std::string(64, '0'),                            // order 4
        "ec" + ff30 + "7f",                               // y = p - 1
        "ed" + ff30 + "7f",                               // y = p
        "ff" + ff30 + "ff",                               // y > p
        "c7176a703d4dd84fba3c0b760d10670f"
        "2a2053fa2c39ccc64ec7fd7792ac037a",               // order 8
        "26e8958fc2b227b045c3f489f2ef98f0"
        "d5dfac05d3c63339b13802886d53fc85",               // order 8, sign
    };
    for (const std::string &x : weak25519) {
        EXPECT_TRUE(hasPhrase(loadError(hexJwk("Ed25519", x)),
                              "small order or not canonically encoded"))
            << x;
    }
    EXPECT_TRUE(hasPhrase(loadError(hexJwk("Ed448",
                                           "01" + std::string(112, '0'))),
                          "small order or not canonically encoded"));

    EXPECT_TRUE(loadText(okpJwk(keys().ed25519.get(), "Ed25519")).ok());
    EXPECT_TRUE(loadText(okpJwk(keys().ed448.get(), "Ed448")).ok());
}

}  // namespace
}  // namespace authjwt
