// Helpers shared by the unit tests: keys generated with OpenSSL, tokens
// minted in the test (HMAC, RSA PKCS#1 v1.5 and PSS, ECDSA as raw R || S,
// Ed25519 and Ed448), and one-call wrappers around the parse and verify
// entry points that own their scratch space.
//
//   KeySet keys = keySetOf(secretKey(kSecret32));
//   std::string jwt = mint(headerFor(Alg::HS256), R"({"exp":2000000000})",
//                          hmacSigner(Alg::HS256, kSecret32));
//   EXPECT_EQ(verifyStatus(jwt, keys), Status::Ok);
//
// Everything is inline and lives in authjwt::testutil, so that several test
// files can include it into the one unit test binary.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/alg.hpp"
#include "core/base64url.hpp"
#include "core/json.hpp"
#include "core/key.hpp"
#include "core/key_loader.hpp"
#include "core/ossl.hpp"
#include "core/status.hpp"
#include "core/token.hpp"
#include "core/verifier.hpp"

namespace authjwt {

// gtest prints a Status by its stable code rather than as a number.
inline void PrintTo(Status status, std::ostream *os)
{
    *os << statusCode(status);
}

namespace testutil {

// A fixed "now" for tests that do not care about time: 2030-01-01.
constexpr std::int64_t kNow = 1893456000;

// Secrets exactly as long as HS256 and HS512 require.
inline const std::string kSecret32 = "0123456789abcdef0123456789abcdef";
inline const std::string kSecret64 =
    kSecret32 + "fedcba9876543210fedcba9876543210";

// Every Status value, in declaration order.
inline const std::vector<Status> kAllStatuses = {
    Status::Ok,           Status::Missing,         Status::TooLarge,
    Status::Malformed,    Status::BadHeader,       Status::UnsupportedCrit,
    Status::AlgNotAllowed, Status::UnknownKid,     Status::NoKey,
    Status::BadSignature, Status::BadPayload,      Status::MissingExp,
    Status::BadTimeClaim, Status::Expired,         Status::NotYetValid,
    Status::IssuedInFuture, Status::MissingIat,    Status::LifetimeTooLong,
    Status::IssuerMismatch, Status::AudienceMismatch,
    Status::ClaimRuleFailed, Status::RequireFailed,
    Status::InternalError,
};

// Every algorithm, in enum order.
inline std::vector<Alg> allAlgs()
{
    std::vector<Alg> algs;
    for (unsigned i = 0; i < kAlgCount; i++) {
        algs.push_back(static_cast<Alg>(i));
    }
    return algs;
}

inline std::string b64(std::string_view bytes)
{
    return encodeBase64Url(bytes);
}

// Decodes base64url the tests wrote themselves; a typo fails loudly.
inline std::string unb64(std::string_view text)
{
    std::optional<std::string> bytes = decodeBase64Url(text);
    if (!bytes) {
        throw std::runtime_error("test vector is not base64url: "
                                 + std::string(text));
    }
    return *bytes;
}

// ---------------------------------------------------------------------
// Keys

enum class KeyKind { Rsa, Rsa2, P256, P384, P521, Ed25519, Ed448 };

inline EVP_PKEY *generate(KeyKind kind)
{
    EVP_PKEY *pkey = nullptr;
    switch (kind) {
    case KeyKind::Rsa:
    case KeyKind::Rsa2:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
        break;
    case KeyKind::P256:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyKind::P384:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    case KeyKind::P521:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
        break;
    case KeyKind::Ed25519:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    case KeyKind::Ed448:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448");
        break;
    }
    if (pkey == nullptr) {
        throw std::runtime_error("key generation failed");
    }
    return pkey;
}

// A private key of each kind, generated once per process because RSA
// generation is slow.
inline EVP_PKEY *testKey(KeyKind kind)
{
    static PkeyPtr cache[7];
    PkeyPtr &slot = cache[static_cast<int>(kind)];
    if (slot == nullptr) {
        slot.reset(generate(kind));
    }
    return slot.get();
}

// The key kind that signs alg in the sweeps.
inline KeyKind keyKindFor(Alg alg)
{
    switch (algFamily(alg)) {
    case AlgFamily::RsaPkcs1:
    case AlgFamily::RsaPss:
        return KeyKind::Rsa;
    case AlgFamily::Ecdsa:
        return alg == Alg::ES256   ? KeyKind::P256
               : alg == Alg::ES384 ? KeyKind::P384
                                   : KeyKind::P521;
    default:
        return KeyKind::Ed25519;
    }
}

// A new EVP_PKEY holding only the public half of pkey.
inline PkeyPtr publicOnly(EVP_PKEY *pkey)
{
    unsigned char *der = nullptr;
    int size = i2d_PUBKEY(pkey, &der);
    if (size <= 0) {
        throw std::runtime_error("i2d_PUBKEY failed");
    }
    const unsigned char *p = der;
    PkeyPtr pub(d2i_PUBKEY(nullptr, &p, size));
    OPENSSL_free(der);
    if (pub == nullptr) {
        throw std::runtime_error("d2i_PUBKEY failed");
    }
    return pub;
}

// "-----BEGIN PUBLIC KEY-----..." for pkey.
inline std::string publicPem(EVP_PKEY *pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) {
        throw std::runtime_error("PEM_write_bio_PUBKEY failed");
    }
    char *data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

// A big-number parameter of pkey, big-endian, left-padded to pad bytes.
inline std::string bnParam(EVP_PKEY *pkey, const char *name, int pad = 0)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        throw std::runtime_error(std::string("no parameter ") + name);
    }
    BignumPtr bn(raw);
    int size = pad > 0 ? pad : BN_num_bytes(bn.get());
    std::string out(static_cast<std::size_t>(size), '\0');
    BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(out.data()),
                 size);
    return out;
}

// The public JWK of pkey (RSA, EC or OKP), with extra members appended
// verbatim (",\"alg\":\"RS256\"").
inline std::string publicJwk(EVP_PKEY *pkey, const std::string &extra = "")
{
    std::string jwk;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        jwk = R"({"kty":"RSA","n":")"
              + b64(bnParam(pkey, OSSL_PKEY_PARAM_RSA_N)) + R"(","e":")"
              + b64(bnParam(pkey, OSSL_PKEY_PARAM_RSA_E)) + "\"";
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        int bits = EVP_PKEY_get_bits(pkey);
        int size = (bits + 7) / 8;
        const char *crv = bits == 256 ? "P-256" : bits == 384 ? "P-384"
                                                              : "P-521";
        jwk = R"({"kty":"EC","crv":")" + std::string(crv) + R"(","x":")"
              + b64(bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size))
              + R"(","y":")"
              + b64(bnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size)) + "\"";
    } else {
        unsigned char raw[64];
        std::size_t len = sizeof(raw);
        if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1) {
            throw std::runtime_error("EVP_PKEY_get_raw_public_key failed");
        }
        const char *crv = EVP_PKEY_is_a(pkey, "ED448") ? "Ed448" : "Ed25519";
        jwk = R"({"kty":"OKP","crv":")" + std::string(crv) + R"(","x":")"
              + b64(std::string_view(reinterpret_cast<char *>(raw), len))
              + "\"";
    }
    return jwk + extra + "}";
}

// One Key, or an exception that gtest reports with the loader's message.
inline Key onlyKey(KeyLoad load)
{
    if (!load.ok()) {
        throw std::runtime_error("key did not load: " + load.error);
    }
    if (load.keys.size() != 1) {
        throw std::runtime_error("expected exactly one key");
    }
    return std::move(load.keys.front());
}

// A key from the text of one JWK.
inline Key jwkKey(std::string_view jwkText, AlgSet allowed = AlgSet::all())
{
    Json jwk = Json::parse(jwkText);
    if (!jwk) {
        throw std::runtime_error("test JWK is not JSON: "
                                 + std::string(jwkText));
    }
    return onlyKey(loadJwk(jwk.get(), "test JWK", allowed));
}

inline Key secretKey(std::string secret, std::string kid = "",
                     AlgSet allowed = AlgSet::all())
{
    std::string error;
    std::optional<Key> key = Key::fromSecret(std::move(secret), allowed,
                                             std::move(kid), "test secret",
                                             error);
    if (!key) {
        throw std::runtime_error(error);
    }
    return std::move(*key);
}

// The public half of pkey as a Key.
inline Key publicKey(EVP_PKEY *pkey, std::string kid = "",
                     AlgSet allowed = AlgSet::all())
{
    std::string error;
    std::optional<Key> key = Key::fromPublicKey(publicOnly(pkey), allowed,
                                                std::move(kid), "test key",
                                                error);
    if (!key) {
        throw std::runtime_error(error);
    }
    return std::move(*key);
}

inline void addKeys(KeySet &)
{
}

template <typename... Rest>
void addKeys(KeySet &set, Key key, Rest &&...rest)
{
    set.add(std::move(key));
    addKeys(set, std::forward<Rest>(rest)...);
}

template <typename... Keys>
KeySet keySetOf(Keys &&...keys)
{
    KeySet set;
    addKeys(set, std::forward<Keys>(keys)...);
    return set;
}

// ---------------------------------------------------------------------
// Signing

struct SignOptions {
    // RSA-PSS salt length (RSA_PSS_SALTLEN_DIGEST is what RFC 7518 wants).
    int pssSaltLength = RSA_PSS_SALTLEN_DIGEST;
    // ECDSA: leave the signature in DER instead of converting it to R || S.
    bool ecdsaDer = false;
};

// RFC 7518 3.4: the size of R and of S.
inline std::size_t ecdsaHalf(Alg alg)
{
    return alg == Alg::ES256 ? 32 : alg == Alg::ES384 ? 48 : 66;
}

inline std::string hmacSign(Alg alg, std::string_view secret,
                            std::string_view input)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t size = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, algDigestName(alg), nullptr,
                  secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char *>(input.data()),
                  input.size(), mac, sizeof(mac), &size)
        == nullptr)
    {
        throw std::runtime_error("EVP_Q_mac failed");
    }
    return std::string(reinterpret_cast<char *>(mac), size);
}

// DER ECDSA-Sig-Value to the JWS form R || S.
inline std::string ecdsaRaw(std::string_view der, std::size_t half)
{
    const unsigned char *p = reinterpret_cast<const unsigned char *>(
        der.data());
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (sig == nullptr) {
        throw std::runtime_error("d2i_ECDSA_SIG failed");
    }
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string out(2 * half, '\0');
    auto *bytes = reinterpret_cast<unsigned char *>(out.data());
    BN_bn2binpad(r, bytes, static_cast<int>(half));
    BN_bn2binpad(s, bytes + half, static_cast<int>(half));
    return out;
}

// Signs input for alg with the private key pkey, as a JWS signature.
inline std::string pkeySign(Alg alg, EVP_PKEY *pkey, std::string_view input,
                            const SignOptions &options = {})
{
    MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pctx = nullptr;
    if (md == nullptr
        || EVP_DigestSignInit_ex(md.get(), &pctx, algDigestName(alg),
                                 nullptr, nullptr, pkey, nullptr) != 1)
    {
        throw std::runtime_error("EVP_DigestSignInit_ex failed");
    }
    if (algFamily(alg) == AlgFamily::RsaPss
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, options.pssSaltLength)
                   != 1
            || EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, algDigestName(alg),
                                                 nullptr) != 1))
    {
        throw std::runtime_error("PSS setup failed");
    }
    const auto *data = reinterpret_cast<const unsigned char *>(input.data());
    std::size_t size = 0;
    if (EVP_DigestSign(md.get(), nullptr, &size, data, input.size()) != 1) {
        throw std::runtime_error("EVP_DigestSign (size) failed");
    }
    std::string sig(size, '\0');
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char *>(sig.data()),
                       &size, data, input.size()) != 1)
    {
        throw std::runtime_error("EVP_DigestSign failed");
    }
    sig.resize(size);
    if (algFamily(alg) == AlgFamily::Ecdsa && !options.ecdsaDer) {
        return ecdsaRaw(sig, ecdsaHalf(alg));
    }
    return sig;
}

// Turns a signing input into the raw signature bytes.
using Signer = std::function<std::string(std::string_view input)>;

inline Signer hmacSigner(Alg alg, std::string secret)
{
    return [alg, secret](std::string_view input) {
        return hmacSign(alg, secret, input);
    };
}

inline Signer pkeySigner(Alg alg, EVP_PKEY *pkey,
                         const SignOptions &options = {})
{
    return [alg, pkey, options](std::string_view input) {
        return pkeySign(alg, pkey, input, options);
    };
}

// The signer the sweeps use for alg: kSecret64 for HS*, the cached key
// of keyKindFor(alg) otherwise.
inline Signer signerFor(Alg alg)
{
    if (algFamily(alg) == AlgFamily::Hmac) {
        return hmacSigner(alg, kSecret64);
    }
    return pkeySigner(alg, testKey(keyKindFor(alg)));
}

// {"alg":"...","kid":"..."} (kid only when given).
inline std::string headerFor(std::string_view alg, const char *kid = nullptr)
{
    std::string header = R"({"alg":")" + std::string(alg) + "\"";
    if (kid != nullptr) {
        header += R"(,"kid":")" + std::string(kid) + "\"";
    }
    return header + "}";
}

inline std::string headerFor(Alg alg, const char *kid = nullptr)
{
    return headerFor(algName(alg), kid);
}

// base64url(header) "." base64url(payload) "." base64url(signature).
inline std::string mint(std::string_view header, std::string_view payload,
                        const Signer &signer)
{
    std::string input = b64(header) + "." + b64(payload);
    return input + "." + b64(signer(input));
}

// A token whose signature part is the given raw bytes.
inline std::string withSignature(std::string_view header,
                                 std::string_view payload,
                                 std::string_view signature)
{
    return b64(header) + "." + b64(payload) + "." + b64(signature);
}

// The payload used where the claims do not matter: valid at kNow.
inline const std::string kPayload = R"({"sub":"alice","exp":2000000000})";

// ---------------------------------------------------------------------
// Parsing and verifying with owned scratch space

inline Status parseStatus(std::string_view compact,
                          std::size_t maxSize = kDefaultMaxTokenSize)
{
    std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
    Token token;
    return parseCompact(compact, maxSize, scratch.data(), scratch.size(),
                        token);
}

// parseCompact, then verifySignature: the status of the first that fails.
// For tokens whose payload is not JSON (RFC 7515 A.4, RFC 7520).
inline Status signatureStatus(std::string_view compact, const KeySet &keys,
                              AlgSet allowed = AlgSet::all())
{
    std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
    Token token;
    Status status = parseCompact(compact, std::max<std::size_t>(
                                              compact.size(),
                                              kDefaultMaxTokenSize),
                                 scratch.data(), scratch.size(), token);
    if (status != Status::Ok) {
        return status;
    }
    return verifySignature(token, keys, allowed);
}

// The whole verifyCompact path.
inline Status verifyStatus(std::string_view compact, const KeySet &keys,
                           const VerifyOptions &options = {},
                           std::int64_t now = kNow)
{
    std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
    VerifiedToken out;
    return verifyCompact(compact, keys, options, now, scratch.data(),
                         scratch.size(), out);
}

// verifyCompact with the token, scratch and result kept together, for
// tests that look at the result. Not copyable: the result points into
// the compact text and the scratch.
class Verification {
public:
    Verification(std::string compact, const KeySet &keys,
                 const VerifyOptions &options = {}, std::int64_t now = kNow)
        : compact_(std::move(compact)),
          scratch_(tokenScratchSize(compact_.size()))
    {
        status = verifyCompact(compact_, keys, options, now, scratch_.data(),
                               scratch_.size(), out);
    }
    Verification(const Verification &) = delete;
    Verification &operator=(const Verification &) = delete;

    Status status;
    VerifiedToken out;

private:
    std::string compact_;
    std::vector<unsigned char> scratch_;
};

}  // namespace testutil
}  // namespace authjwt
