#include "key.hpp"

#include <cstring>

#include <initializer_list>
#include <string>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace authjwt {

namespace {

// OpenSSL refuses public operations with larger moduli
// (OPENSSL_RSA_MAX_MODULUS_BITS), so such a key could never verify anything:
// better to say so at configuration time than on every request.
constexpr int kMaxRsaBits = 16384;

// Below 65537 a forgery gets cheap (with e = 1 the "signature" is the
// padded digest itself); an even exponent is not a valid RSA key.
constexpr BN_ULONG kMinRsaExponent = 65537;

// 0, 1, 2 for alg's SHA-256, SHA-384, SHA-512; none for EdDSA.
std::optional<std::size_t> shaIndex(Alg alg) noexcept
{
    switch (algDigestSize(alg)) {
    case 32:
        return 0;
    case 48:
        return 1;
    case 64:
        return 2;
    default:
        return std::nullopt;
    }
}

// hmac_ index of each HS* algorithm.
std::optional<std::size_t> hmacIndex(Alg alg) noexcept
{
    if (algFamily(alg) != AlgFamily::Hmac) {
        return std::nullopt;
    }
    return shaIndex(alg);
}

// digests_ index of the digest an RS*, PS* or ES* algorithm signs.
std::optional<std::size_t> digestIndex(Alg alg) noexcept
{
    if (algFamily(alg) == AlgFamily::Hmac) {
        return std::nullopt;
    }
    return shaIndex(alg);
}

constexpr Alg kHmacAlgs[] = {Alg::HS256, Alg::HS384, Alg::HS512};

// The HS* algorithms a secret of this length may verify: RFC 7518 3.2
// wants a key at least as long as the hash output.
AlgSet hmacAlgsForLength(std::size_t length) noexcept
{
    AlgSet algs;

    for (Alg alg : kHmacAlgs) {
        if (length >= algDigestSize(alg)) {
            algs |= AlgSet::of(alg);
        }
    }

    return algs;
}

// The weakest algorithm of a set, for "too short for HS384" messages.
std::optional<Alg> firstAlg(AlgSet algs) noexcept
{
    for (unsigned i = 0; i < kAlgCount; i++) {
        Alg alg = static_cast<Alg>(i);
        if (algs.contains(alg)) {
            return alg;
        }
    }

    return std::nullopt;
}

MacCtxPtr newHmacContext(std::string_view secret, Alg alg)
{
    MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (mac == nullptr) {
        ERR_clear_error();
        return nullptr;
    }

    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    if (ctx == nullptr) {
        ERR_clear_error();
        return nullptr;
    }

    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(
            OSSL_MAC_PARAM_DIGEST, const_cast<char *>(algDigestName(alg)), 0),
        OSSL_PARAM_construct_end(),
    };

    const auto *key = reinterpret_cast<const unsigned char *>(secret.data());
    if (EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1) {
        ERR_clear_error();
        return nullptr;
    }

    return ctx;
}

// Which of our key types an EVP_PKEY is, and the algorithms that type
// allows before "allowed" narrows them.
struct PublicKeyKind {
    KeyType type;
    AlgSet algs;
    const char *name;   // "RSA", "EC", ... for messages
};

std::optional<std::string> pkeyUtf8Param(const EVP_PKEY *pkey,
                                         const char *name)
{
    char buf[80];
    std::size_t len = 0;

    if (EVP_PKEY_get_utf8_string_param(pkey, name, buf, sizeof(buf), &len)
        != 1)
    {
        ERR_clear_error();
        return std::nullopt;
    }

    return std::string(buf, len);
}

// RFC 7518 3.4: ES256, ES384 and ES512 each name exactly one curve.
std::optional<Alg> ecdsaAlgForCurve(const EVP_PKEY *pkey,
                                    std::string &curve)
{
    std::optional<std::string> group =
        pkeyUtf8Param(pkey, OSSL_PKEY_PARAM_GROUP_NAME);
    if (!group) {
        // Explicit curve parameters: not a named curve we can vouch for.
        curve = "explicit parameters";
        return std::nullopt;
    }

    curve = *group;

    switch (OBJ_sn2nid(group->c_str())) {
    case NID_X9_62_prime256v1:
        return Alg::ES256;
    case NID_secp384r1:
        return Alg::ES384;
    case NID_secp521r1:
        return Alg::ES512;
    default:
        ERR_clear_error();
        return std::nullopt;
    }
}

// An RSA-PSS key may restrict the digest it is used with (RFC 4055); then
// only the matching PS* algorithm can verify with it.
AlgSet pssAlgs(const EVP_PKEY *pkey)
{
    AlgSet all = AlgSet::family(AlgFamily::RsaPss);

    std::optional<std::string> digest =
        pkeyUtf8Param(pkey, OSSL_PKEY_PARAM_RSA_DIGEST);
    if (!digest) {
        return all;
    }

    const EVP_MD *keyMd = EVP_get_digestbyname(digest->c_str());
    AlgSet algs;

    for (Alg alg : {Alg::PS256, Alg::PS384, Alg::PS512}) {
        const EVP_MD *md = EVP_get_digestbyname(algDigestName(alg));
        if (md != nullptr && keyMd != nullptr
            && EVP_MD_get_type(md) == EVP_MD_get_type(keyMd))
        {
            algs |= AlgSet::of(alg);
        }
    }

    return algs;
}

bool classifyPublicKey(const EVP_PKEY *pkey, const std::string &source,
                       PublicKeyKind &kind, std::string &error)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        kind = {KeyType::Rsa,
                AlgSet::family(AlgFamily::RsaPkcs1)
                    | AlgSet::family(AlgFamily::RsaPss),
                "RSA"};
        return true;
    }

    if (EVP_PKEY_is_a(pkey, "RSA-PSS")) {
        kind = {KeyType::Rsa, pssAlgs(pkey), "RSA-PSS"};
        if (kind.algs.empty()) {
            error = "RSA-PSS key in " + source + " is restricted to a digest "
                    "that no PS* algorithm uses";
            return false;
        }
        return true;
    }

    if (EVP_PKEY_is_a(pkey, "EC")) {
        std::string curve;
        std::optional<Alg> alg = ecdsaAlgForCurve(pkey, curve);
        if (!alg) {
            error = "EC key in " + source + " uses curve \"" + curve
                    + "\"; only P-256, P-384 and P-521 are supported";
            return false;
        }
        kind = {KeyType::Ec, AlgSet::of(*alg), "EC"};
        return true;
    }

    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        kind = {KeyType::Okp, AlgSet::of(Alg::EdDSA), "Ed25519"};
        return true;
    }

    if (EVP_PKEY_is_a(pkey, "ED448")) {
        kind = {KeyType::Okp, AlgSet::of(Alg::EdDSA), "Ed448"};
        return true;
    }

    const char *name = EVP_PKEY_get0_type_name(pkey);
    error = std::string("key in ") + source + " has the unsupported type \""
            + (name != nullptr ? name : "unknown")
            + "\"; only RSA, RSA-PSS, EC and Ed25519/Ed448 keys can verify "
              "JWS signatures";
    return false;
}

bool checkRsaStrength(const EVP_PKEY *pkey, const PublicKeyKind &kind,
                      const std::string &source, std::string &error)
{
    int bits = EVP_PKEY_get_bits(pkey);

    if (bits < kMinRsaBits) {
        // RFC 7518 3.3 and 3.5: 2048 bits or larger.
        error = std::string(kind.name) + " key in " + source + " has "
                + std::to_string(bits) + " bits; at least "
                + std::to_string(kMinRsaBits) + " are required";
        return false;
    }

    if (bits > kMaxRsaBits) {
        error = std::string(kind.name) + " key in " + source + " has "
                + std::to_string(bits) + " bits; OpenSSL verifies with at "
                  "most " + std::to_string(kMaxRsaBits);
        return false;
    }

    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &raw) != 1) {
        ERR_clear_error();
        error = std::string(kind.name) + " key in " + source
                + " has no readable public exponent";
        return false;
    }
    BignumPtr e(raw);

    BignumPtr min(BN_new());
    if (min == nullptr || BN_set_word(min.get(), kMinRsaExponent) != 1) {
        ERR_clear_error();
        error = "out of memory while checking the key in " + source;
        return false;
    }

    if (!BN_is_odd(e.get()) || BN_cmp(e.get(), min.get()) < 0) {
        error = std::string(kind.name) + " key in " + source
                + " has a weak public exponent; it must be odd and at "
                  "least 65537";
        return false;
    }

    return true;
}

// Curve membership is checked when a point is decoded, but a key read from
// elsewhere (a certificate, another library's encoder) gets the full check
// too: a point of small order would make every signature check meaningless.
bool checkEcPoint(EVP_PKEY *pkey, const std::string &source,
                  std::string &error)
{
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (ctx == nullptr || EVP_PKEY_public_check(ctx.get()) != 1) {
        ERR_clear_error();
        error = "EC key in " + source + " is not a valid point on its curve";
        return false;
    }

    return true;
}

// Little-endian comparison of two n-byte numbers.
bool lessLittleEndian(const unsigned char *a, const unsigned char *b,
                      std::size_t n) noexcept
{
    for (std::size_t i = n; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i];
        }
    }
    return false;
}

// An Edwards public key is the y coordinate, little-endian, with the sign
// of x in the top bit. A y at or above p is a non-canonical encoding, and
// y = 0, 1 or p - 1 (and, on Ed25519, the two y of the points of order 8)
// are points of small order, for which a forged signature can verify.
bool checkEdwardsPoint(EVP_PKEY *pkey, const std::string &source,
                       std::string &error)
{
    // Ed25519 y values of the points of order 8, sign bit cleared.
    static const unsigned char kOrder8[2][32] = {
        {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
         0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
         0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
        {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
         0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
         0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    };

    unsigned char raw[57];
    std::size_t size = sizeof(raw);
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &size) != 1) {
        ERR_clear_error();
        error = "EdDSA key in " + source + " cannot be read";
        return false;
    }

    bool ed448 = (size == 57);
    std::size_t n = ed448 ? 56 : 32;
    unsigned char y[56] = {};
    std::memcpy(y, raw, n);
    if (!ed448) {
        y[31] &= 0x7f;
    }

    // p = 2^255 - 19, or 2^448 - 2^224 - 1; little-endian.
    unsigned char p[56];
    std::memset(p, 0xff, sizeof(p));
    if (ed448) {
        p[28] = 0xfe;
    } else {
        p[0] = 0xed;
        p[31] = 0x7f;
    }
    unsigned char pMinusOne[56];
    std::memcpy(pMinusOne, p, sizeof(p));
    pMinusOne[0]--;
    unsigned char one[56] = {1};
    unsigned char zero[56] = {};

    bool weak = (ed448 && (raw[56] & 0x7f) != 0)
                || !lessLittleEndian(y, p, n)
                || std::memcmp(y, zero, n) == 0
                || std::memcmp(y, one, n) == 0
                || std::memcmp(y, pMinusOne, n) == 0
                || (!ed448
                    && (std::memcmp(y, kOrder8[0], 32) == 0
                        || std::memcmp(y, kOrder8[1], 32) == 0));
    if (weak) {
        error = "EdDSA key in " + source
                + " is a point of small order or not canonically encoded";
        return false;
    }
    return true;
}

// Sets up a verification under pkey with alg's digest and, for RSA, the
// padding alg calls for; not for EdDSA.
PkeyCtxPtr newVerifyContext(EVP_PKEY *pkey, Alg alg, const EVP_MD *md)
{
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1
        || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1)
    {
        ERR_clear_error();
        return nullptr;
    }

    bool ok = true;
    switch (algFamily(alg)) {
    case AlgFamily::RsaPkcs1:
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
        break;
    case AlgFamily::RsaPss:
        // RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash.
        // OpenSSL would otherwise accept any salt length.
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING)
                 == 1
             && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(),
                                                 RSA_PSS_SALTLEN_DIGEST) == 1
             && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) == 1;
        break;
    default:
        break;
    }
    if (!ok) {
        ERR_clear_error();
        return nullptr;
    }
    return ctx;
}

MdCtxPtr newEddsaTemplate(EVP_PKEY *pkey)
{
    MdCtxPtr md(EVP_MD_CTX_new());
    if (md == nullptr
        || EVP_DigestVerifyInit_ex(md.get(), nullptr, nullptr, nullptr,
                                   nullptr, pkey, nullptr) != 1)
    {
        ERR_clear_error();
        return nullptr;
    }
    return md;
}

// The public key as DER SubjectPublicKeyInfo: its algorithm (with any
// RSA-PSS restrictions) and its value, in one canonical form whatever
// format it was read from.
bool publicKeyDer(EVP_PKEY *pkey, std::string &der)
{
    unsigned char *buf = nullptr;
    int size = i2d_PUBKEY(pkey, &buf);
    if (size <= 0) {
        ERR_clear_error();
        return false;
    }
    der.assign(reinterpret_cast<char *>(buf), static_cast<std::size_t>(size));
    OPENSSL_free(buf);
    return true;
}

// SHA-256 over each part preceded by its length, so that no two different
// lists of parts hash the same input.
bool sha256Parts(std::initializer_list<std::string_view> parts,
                 unsigned char digest[32]) noexcept
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (ctx == nullptr
        || EVP_DigestInit_ex2(ctx.get(), EVP_sha256(), nullptr) != 1)
    {
        ERR_clear_error();
        return false;
    }
    for (std::string_view part : parts) {
        unsigned char length[8];
        std::uint64_t n = part.size();
        for (int i = 7; i >= 0; i--) {
            length[i] = static_cast<unsigned char>(n);
            n >>= 8;
        }
        if (EVP_DigestUpdate(ctx.get(), length, sizeof(length)) != 1
            || EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1)
        {
            ERR_clear_error();
            return false;
        }
    }
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1 || size != 32) {
        ERR_clear_error();
        return false;
    }
    return true;
}

}  // namespace

std::optional<Key> Key::fromSecret(std::string secret, AlgSet allowed,
                                   std::string kid, std::string source,
                                   std::string &error)
{
    if (secret.size() < kMinHmacSecret) {
        error = "HMAC secret in " + source + " has "
                + std::to_string(secret.size()) + " bytes; at least "
                + std::to_string(kMinHmacSecret) + " are required";
        return std::nullopt;
    }

    AlgSet wanted = AlgSet::family(AlgFamily::Hmac) & allowed;
    if (wanted.empty()) {
        error = "HMAC secret in " + source
                + " can only verify HS256, HS384 or HS512, and none of "
                  "them is allowed";
        return std::nullopt;
    }

    AlgSet algs = wanted & hmacAlgsForLength(secret.size());
    if (algs.empty()) {
        Alg weakest = *firstAlg(wanted);
        error = "HMAC secret in " + source + " has "
                + std::to_string(secret.size()) + " bytes, too short for "
                + algName(weakest) + ", which requires at least "
                + std::to_string(algDigestSize(weakest));
        return std::nullopt;
    }

    Key key;
    key.type_ = KeyType::Oct;
    key.algs_ = algs;
    key.kid_ = std::move(kid);
    key.source_ = std::move(source);
    key.secret_ = std::move(secret);
    if (!key.identify(key.secret_, error)) {
        return std::nullopt;
    }

    for (Alg alg : kHmacAlgs) {
        if (!algs.contains(alg)) {
            continue;
        }
        MacCtxPtr ctx = newHmacContext(key.secret_, alg);
        if (ctx == nullptr) {
            error = "could not set up " + std::string(algName(alg))
                    + " for the HMAC secret in " + key.source_;
            return std::nullopt;
        }
        key.hmac_[*hmacIndex(alg)] = std::move(ctx);
    }

    return key;
}

std::optional<Key> Key::fromPublicKey(PkeyPtr pkey, AlgSet allowed,
                                      std::string kid, std::string source,
                                      std::string &error)
{
    if (pkey == nullptr) {
        error = "no public key was read from " + source;
        return std::nullopt;
    }

    PublicKeyKind kind;
    if (!classifyPublicKey(pkey.get(), source, kind, error)) {
        return std::nullopt;
    }

    if (kind.type == KeyType::Rsa
        && !checkRsaStrength(pkey.get(), kind, source, error))
    {
        return std::nullopt;
    }

    if (kind.type == KeyType::Ec
        && !checkEcPoint(pkey.get(), source, error))
    {
        return std::nullopt;
    }

    if (kind.type == KeyType::Okp
        && !checkEdwardsPoint(pkey.get(), source, error))
    {
        return std::nullopt;
    }

    AlgSet algs = kind.algs & allowed;
    if (algs.empty()) {
        error = std::string(kind.name) + " key in " + source
                + " can only verify " + kind.algs.names()
                + ", and none of them is allowed";
        return std::nullopt;
    }

    Key key;
    key.type_ = kind.type;
    key.kid_ = std::move(kid);
    key.source_ = std::move(source);
    key.pkey_ = std::move(pkey);

    std::string der;
    if (!publicKeyDer(key.pkey_.get(), der)) {
        error = "could not encode the key in " + key.source_;
        return std::nullopt;
    }
    if (!key.identify(der, error)) {
        return std::nullopt;
    }

    // An algorithm OpenSSL cannot set up with this key (an RSA-PSS key
    // restricted to another digest or salt) is one it cannot verify.
    for (unsigned i = 0; i < kAlgCount; i++) {
        Alg alg = static_cast<Alg>(i);
        if (algs.contains(alg) && key.prepare(alg)) {
            key.algs_ |= AlgSet::of(alg);
        }
    }
    if (key.algs_.empty()) {
        error = std::string(kind.name) + " key in " + key.source_
                + " cannot be set up to verify " + algs.names();
        return std::nullopt;
    }

    return key;
}

bool Key::identify(std::string_view material, std::string &error)
{
    unsigned char digest[32];
    const char type = static_cast<char>('0' + static_cast<int>(type_));

    // The algorithms are left out: which ones a key may verify is checked
    // on every use, and the signature itself depends on the material only.
    if (!sha256Parts({"auth_jwt key fingerprint 1", std::string_view(&type, 1),
                      kid_, material},
                     digest))
    {
        error = "could not compute a fingerprint for the key in " + source_;
        return false;
    }
    std::memcpy(fingerprint_.data(), digest, fingerprint_.size());
    kidHash_ = authjwt::kidHash(kid_);
    return true;
}

bool Key::prepare(Alg alg)
{
    if (alg == Alg::EdDSA) {
        eddsa_ = newEddsaTemplate(pkey_.get());
        return eddsa_ != nullptr;
    }

    std::optional<std::size_t> index = digestIndex(alg);
    if (!index) {
        return false;
    }
    MdPtr &md = digests_[*index];
    if (md == nullptr) {
        md.reset(EVP_MD_fetch(nullptr, algDigestName(alg), nullptr));
    }
    if (digestCtx_ == nullptr) {
        digestCtx_.reset(EVP_MD_CTX_new());
    }
    if (md == nullptr || digestCtx_ == nullptr) {
        ERR_clear_error();
        return false;
    }

    PkeyCtxPtr &ctx = verify_[static_cast<unsigned>(alg)];
    ctx = newVerifyContext(pkey_.get(), alg, md.get());
    return ctx != nullptr;
}

EVP_PKEY_CTX *Key::verifyContext(Alg alg) const noexcept
{
    return verify_[static_cast<unsigned>(alg)].get();
}

std::size_t Key::digestInput(Alg alg, std::string_view input,
                             unsigned char *out) const noexcept
{
    std::optional<std::size_t> index = digestIndex(alg);
    if (!index || digests_[*index] == nullptr) {
        return 0;
    }

    unsigned int size = 0;
    // OpenSSL 3.0 gives each restart a fresh SHA state: one small
    // allocation, the only one on this path.
    if (EVP_DigestInit_ex2(digestCtx_.get(), digests_[*index].get(),
                           nullptr) != 1
        || EVP_DigestUpdate(digestCtx_.get(), input.data(), input.size())
               != 1
        || EVP_DigestFinal_ex(digestCtx_.get(), out, &size) != 1)
    {
        ERR_clear_error();
        return 0;
    }
    return size;
}

const EVP_MD_CTX *Key::eddsaTemplate() const noexcept
{
    return eddsa_.get();
}

EVP_MAC_CTX *Key::hmacContext(Alg alg) const noexcept
{
    std::optional<std::size_t> index = hmacIndex(alg);

    if (!index || !algs_.contains(alg)) {
        return nullptr;
    }

    return hmac_[*index].get();
}

AlgSet KeySet::algs() const noexcept
{
    AlgSet algs;

    for (const Key &key : keys_) {
        algs |= key.algs();
    }

    return algs;
}

bool KeySet::hasKid(std::string_view kid) const noexcept
{
    for (const Key &key : keys_) {
        if (key.kid() == kid) {
            return true;
        }
    }

    return false;
}

std::uint64_t kidHash(std::string_view kid) noexcept
{
    // FNV-1a. Not collision resistant, and it need not be: a collision can
    // only make the token cache pass over an entry (see verifier.cpp).
    std::uint64_t hash = 0xcbf29ce484222325;
    for (unsigned char c : kid) {
        hash = (hash ^ c) * 0x100000001b3;
    }
    return hash;
}

}  // namespace authjwt
