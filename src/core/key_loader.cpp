#include "key_loader.hpp"

#include <climits>
#include <cstdio>
#include <optional>
#include <utility>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64url.hpp"
#include "json.hpp"

namespace authjwt {

namespace {

using X509Ptr = OsslPtr<X509, X509_free>;
using DecoderCtxPtr = OsslPtr<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;

void freeOpensslChars(char *p) noexcept
{
    OPENSSL_free(p);
}

void freeOpensslBytes(unsigned char *p) noexcept
{
    OPENSSL_free(p);
}

using OpensslCharsPtr = OsslPtr<char, freeOpensslChars>;
using OpensslBytesPtr = OsslPtr<unsigned char, freeOpensslBytes>;

// Puts text in double quotes for a message. Control characters are escaped
// so a file name or a kid cannot break a log line.
std::string quoted(std::string_view text)
{
    std::string out = "\"";

    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }

    out += '"';
    return out;
}

KeyLoad failure(std::string error)
{
    KeyLoad load;
    load.error = std::move(error);
    return load;
}

KeyLoad success(Key key)
{
    KeyLoad load;
    load.keys.push_back(std::move(key));
    return load;
}

// ---------------------------------------------------------------------
// Inline secrets

std::optional<std::string> decodeHex(std::string_view in)
{
    if (in.size() % 2 != 0) {
        return std::nullopt;
    }

    std::string out;
    out.reserve(in.size() / 2);

    for (std::size_t i = 0; i < in.size(); i += 2) {
        int hi = hexDigitValue(in[i]);
        int lo = hexDigitValue(in[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hi << 4 | lo);
    }

    return out;
}

const char *encodingName(SecretEncoding encoding) noexcept
{
    switch (encoding) {
    case SecretEncoding::Utf8:
        return "utf8";
    case SecretEncoding::Hex:
        return "hex";
    case SecretEncoding::Base64:
        return "base64";
    case SecretEncoding::Base64Url:
        return "base64url";
    }
    return "unknown";
}

std::optional<std::string> decodeSecret(std::string_view value,
                                        SecretEncoding encoding)
{
    switch (encoding) {
    case SecretEncoding::Utf8:
        return std::string(value);
    case SecretEncoding::Hex:
        return decodeHex(value);
    case SecretEncoding::Base64:
        return decodeBase64(value);
    case SecretEncoding::Base64Url:
        return decodeBase64Url(value);
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------
// JWK members

// Why a JWK did not become a key. In a JWK Set the first three only skip
// the key (a set published by an identity provider routinely carries
// encryption keys, or keys for algorithms this location does not accept);
// Invalid always fails, because a broken member means the file is not
// what its author thinks.
enum class JwkOutcome { Loaded, NotForSignature, Unsupported, NotAllowed,
                        Invalid };

struct JwkResult {
    JwkOutcome outcome = JwkOutcome::Loaded;
    std::string message;
};

JwkResult invalidJwk(const std::string &desc, const std::string &detail)
{
    return {JwkOutcome::Invalid, "JWK in " + desc + " is invalid: " + detail};
}

// A member that, when present, must be a string. Returns false only for a
// present member of another type.
bool optionalString(const json_t *jwk, const char *name,
                    std::optional<std::string_view> &out)
{
    const json_t *member = json_object_get(jwk, name);
    if (member == nullptr) {
        out.reset();
        return true;
    }

    std::string_view value;
    if (!jsonStringMember(jwk, name, value)) {
        return false;
    }

    out = value;
    return true;
}

// A required, non-empty base64url member (RFC 7518 6.2.1, 6.3.1, 6.4.1).
bool decodeMember(const json_t *jwk, const char *name,
                  const std::string &desc, std::string &out,
                  JwkResult &result)
{
    std::string_view text;
    if (!jsonStringMember(jwk, name, text)) {
        result = invalidJwk(desc, std::string("member \"") + name
                                      + "\" is missing or not a string");
        return false;
    }

    std::optional<std::string> bytes = decodeBase64Url(text);
    if (!bytes) {
        result = invalidJwk(desc, std::string("member \"") + name
                                      + "\" is not valid base64url");
        return false;
    }

    if (bytes->empty()) {
        result = invalidJwk(desc,
                            std::string("member \"") + name + "\" is empty");
        return false;
    }

    out = std::move(*bytes);
    return true;
}

// RFC 7517 4.2 and 4.3: a key marked for another use, or whose operations
// exclude "verify", must not verify signatures.
JwkResult checkUse(const json_t *jwk, const std::string &desc)
{
    std::optional<std::string_view> use;
    if (!optionalString(jwk, "use", use)) {
        return invalidJwk(desc, "member \"use\" is not a string");
    }
    if (use && *use != "sig") {
        return {JwkOutcome::NotForSignature,
                "JWK in " + desc + " is not a signature key: \"use\" is "
                    + quoted(*use)};
    }

    const json_t *ops = json_object_get(jwk, "key_ops");
    if (ops == nullptr) {
        return {JwkOutcome::Loaded, {}};
    }
    if (!json_is_array(ops)) {
        return invalidJwk(desc, "member \"key_ops\" is not an array");
    }

    bool verify = false;
    std::size_t i;
    const json_t *op;

    json_array_foreach(ops, i, op) {
        if (!json_is_string(op)) {
            return invalidJwk(desc, "member \"key_ops\" holds a non-string");
        }
        if (std::string_view(json_string_value(op), json_string_length(op))
            == "verify")
        {
            verify = true;
        }
    }

    if (!verify) {
        return {JwkOutcome::NotForSignature,
                "JWK in " + desc + " is not a signature key: \"key_ops\" "
                    "lacks \"verify\""};
    }

    return {JwkOutcome::Loaded, {}};
}

// RFC 7518 4.1: the "alg" values of key management algorithms, which
// mark a JWE key (seen in published sets that omit "use").
bool isJweAlgName(std::string_view name) noexcept
{
    static constexpr std::string_view kJweAlgs[] = {
        "RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW",
        "dir", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
        "ECDH-ES+A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW",
        "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW",
    };

    for (std::string_view jwe : kJweAlgs) {
        if (name == jwe) {
            return true;
        }
    }

    return false;
}

// "alg", when present, binds the key to that one algorithm (RFC 7517 4.4,
// RFC 8725 3.1).
JwkResult readAlg(const json_t *jwk, const std::string &desc,
                  std::optional<Alg> &alg)
{
    std::optional<std::string_view> name;
    if (!optionalString(jwk, "alg", name)) {
        return invalidJwk(desc, "member \"alg\" is not a string");
    }

    alg.reset();
    if (!name) {
        return {JwkOutcome::Loaded, {}};
    }

    if (isJweAlgName(*name)) {
        return {JwkOutcome::NotForSignature,
                "JWK in " + desc + " is not a signature key: \"alg\" "
                    + quoted(*name) + " is an encryption algorithm"};
    }

    alg = algFromName(*name);
    if (!alg) {
        // "none" lands here too: it can never name a key's algorithm.
        return invalidJwk(desc, "\"alg\" " + quoted(*name)
                                    + " is not a supported JWS algorithm");
    }

    return {JwkOutcome::Loaded, {}};
}

// What a JWK's "kty" (and "crv") allow before "alg" and the location's
// allowlist narrow it.
struct JwkType {
    std::string kty;
    std::string crv;
    AlgSet algs;
};

struct CurveInfo {
    std::string_view jwkName;   // RFC 7518 6.2.1.1
    const char *groupName;      // OpenSSL's
    std::size_t fieldSize;
    Alg alg;
};

constexpr CurveInfo kCurves[] = {
    {"P-256", "prime256v1", 32, Alg::ES256},
    {"P-384", "secp384r1", 48, Alg::ES384},
    {"P-521", "secp521r1", 66, Alg::ES512},
};

const CurveInfo *findCurve(std::string_view crv) noexcept
{
    for (const CurveInfo &curve : kCurves) {
        if (curve.jwkName == crv) {
            return &curve;
        }
    }
    return nullptr;
}

// RFC 8037 2: the OKP curves that sign.
std::optional<int> edwardsType(std::string_view crv,
                               std::size_t &size) noexcept
{
    if (crv == "Ed25519") {
        size = 32;
        return EVP_PKEY_ED25519;
    }
    if (crv == "Ed448") {
        size = 57;
        return EVP_PKEY_ED448;
    }
    return std::nullopt;
}

JwkResult unsupported(const std::string &desc, const std::string &what)
{
    return {JwkOutcome::Unsupported,
            "JWK in " + desc + " has an unsupported " + what};
}

JwkResult readType(const json_t *jwk, const std::string &desc,
                   JwkType &type)
{
    std::string_view kty;
    if (!jsonStringMember(jwk, "kty", kty)) {
        return invalidJwk(desc, "member \"kty\" is missing or not a string");
    }
    type.kty = std::string(kty);

    if (kty == "RSA") {
        type.algs = AlgSet::family(AlgFamily::RsaPkcs1)
                    | AlgSet::family(AlgFamily::RsaPss);
        return {JwkOutcome::Loaded, {}};
    }

    if (kty == "oct") {
        type.algs = AlgSet::family(AlgFamily::Hmac);
        return {JwkOutcome::Loaded, {}};
    }

    if (kty != "EC" && kty != "OKP") {
        return unsupported(desc, "key type \"kty\" " + quoted(kty));
    }

    std::string_view crv;
    if (!jsonStringMember(jwk, "crv", crv)) {
        return invalidJwk(desc, "member \"crv\" is missing or not a string");
    }
    type.crv = std::string(crv);

    std::size_t size = 0;
    if (kty == "EC" && findCurve(crv) != nullptr) {
        type.algs = AlgSet::of(findCurve(crv)->alg);
    } else if (kty == "OKP" && edwardsType(crv, size)) {
        type.algs = AlgSet::of(Alg::EdDSA);
    } else {
        return unsupported(desc, std::string(kty) + " curve " + quoted(crv));
    }

    return {JwkOutcome::Loaded, {}};
}

PkeyPtr pkeyFromParams(const char *type, OSSL_PARAM_BLD *bld)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    if (params == nullptr) {
        ERR_clear_error();
        return nullptr;
    }

    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }

    EVP_PKEY *raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get())
        != 1)
    {
        ERR_clear_error();
        return nullptr;
    }

    return PkeyPtr(raw);
}

BignumPtr bignumFromBytes(const std::string &bytes)
{
    BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(
                               bytes.data()),
                           static_cast<int>(bytes.size()), nullptr));
    if (bn == nullptr) {
        ERR_clear_error();
    }
    return bn;
}

// RFC 7518 6.3.1: the modulus and exponent, big-endian. Private members
// (d, p, q, dp, dq, qi) are ignored: only the public key is built.
JwkResult rsaFromJwk(const json_t *jwk, const std::string &desc,
                     PkeyPtr &pkey)
{
    JwkResult result;
    std::string n;
    std::string e;

    if (!decodeMember(jwk, "n", desc, n, result)
        || !decodeMember(jwk, "e", desc, e, result))
    {
        return result;
    }

    if (n.size() > INT_MAX || e.size() > INT_MAX) {
        return invalidJwk(desc, "the RSA key is too large");
    }

    BignumPtr bnN = bignumFromBytes(n);
    BignumPtr bnE = bignumFromBytes(e);
    ParamBldPtr bld(OSSL_PARAM_BLD_new());

    if (bnN == nullptr || bnE == nullptr || bld == nullptr
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N,
                                  bnN.get()) != 1
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E,
                                  bnE.get()) != 1)
    {
        ERR_clear_error();
        return invalidJwk(desc, "the RSA key could not be built");
    }

    pkey = pkeyFromParams("RSA", bld.get());
    if (pkey == nullptr) {
        return invalidJwk(desc, "the RSA key could not be built");
    }

    return {JwkOutcome::Loaded, {}};
}

// RFC 7518 6.2.1.2: x and y are exactly the field size, so that one point
// has one encoding. OpenSSL takes them as an uncompressed point and checks
// that it lies on the curve.
JwkResult ecFromJwk(const json_t *jwk, const std::string &desc,
                    const CurveInfo &curve, PkeyPtr &pkey)
{
    JwkResult result;
    std::string x;
    std::string y;

    if (!decodeMember(jwk, "x", desc, x, result)
        || !decodeMember(jwk, "y", desc, y, result))
    {
        return result;
    }

    if (x.size() != curve.fieldSize || y.size() != curve.fieldSize) {
        return invalidJwk(desc, "coordinates \"x\" and \"y\" of a "
                                    + std::string(curve.jwkName)
                                    + " key must be "
                                    + std::to_string(curve.fieldSize)
                                    + " bytes each");
    }

    std::string point = '\x04' + x + y;
    ParamBldPtr bld(OSSL_PARAM_BLD_new());

    if (bld == nullptr
        || OSSL_PARAM_BLD_push_utf8_string(bld.get(),
                                           OSSL_PKEY_PARAM_GROUP_NAME,
                                           curve.groupName, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld.get(),
                                            OSSL_PKEY_PARAM_PUB_KEY,
                                            point.data(), point.size()) != 1)
    {
        ERR_clear_error();
        return invalidJwk(desc, "the EC key could not be built");
    }

    pkey = pkeyFromParams("EC", bld.get());
    if (pkey == nullptr) {
        return invalidJwk(desc, "the point (\"x\", \"y\") is not on curve "
                                    + std::string(curve.jwkName));
    }

    return {JwkOutcome::Loaded, {}};
}

// RFC 8037 2: "x" is the raw public key.
JwkResult okpFromJwk(const json_t *jwk, const std::string &desc,
                     const std::string &crv, PkeyPtr &pkey)
{
    JwkResult result;
    std::string x;
    std::size_t size = 0;
    std::optional<int> type = edwardsType(crv, size);

    if (!decodeMember(jwk, "x", desc, x, result)) {
        return result;
    }

    if (x.size() != size) {
        return invalidJwk(desc, "member \"x\" of an " + crv + " key must be "
                                    + std::to_string(size) + " bytes");
    }

    pkey.reset(EVP_PKEY_new_raw_public_key(
        *type, nullptr, reinterpret_cast<const unsigned char *>(x.data()),
        x.size()));
    if (pkey == nullptr) {
        ERR_clear_error();
        return invalidJwk(desc, "the " + crv + " key could not be built");
    }

    return {JwkOutcome::Loaded, {}};
}

JwkResult buildJwkKey(const json_t *jwk, const std::string &desc,
                      const JwkType &type, AlgSet algs, std::string kid,
                      std::vector<Key> &keys)
{
    std::string error;
    std::optional<Key> key;

    if (type.kty == "oct") {
        JwkResult result;
        std::string k;
        if (!decodeMember(jwk, "k", desc, k, result)) {
            return result;
        }
        key = Key::fromSecret(std::move(k), algs, std::move(kid), desc,
                              error);

    } else {
        PkeyPtr pkey;
        JwkResult result;
        if (type.kty == "RSA") {
            result = rsaFromJwk(jwk, desc, pkey);
        } else if (type.kty == "EC") {
            result = ecFromJwk(jwk, desc, *findCurve(type.crv), pkey);
        } else {
            result = okpFromJwk(jwk, desc, type.crv, pkey);
        }
        if (result.outcome != JwkOutcome::Loaded) {
            return result;
        }
        key = Key::fromPublicKey(std::move(pkey), algs, std::move(kid), desc,
                                 error);
    }

    if (!key) {
        return {JwkOutcome::Invalid, std::move(error)};
    }

    keys.push_back(std::move(*key));
    return {JwkOutcome::Loaded, {}};
}

// One JWK, described in messages as desc. Checks run from the cheapest
// reason to skip the key to the costliest, so a set's encryption keys and
// foreign curves are passed over before their members are decoded.
JwkResult loadOneJwk(const json_t *jwk, const std::string &desc,
                     AlgSet allowed, std::vector<Key> &keys)
{
    if (!json_is_object(jwk)) {
        return {JwkOutcome::Invalid,
                "JWK in " + desc + " is not a JSON object"};
    }

    std::optional<std::string_view> kid;
    if (!optionalString(jwk, "kid", kid)) {
        return invalidJwk(desc, "member \"kid\" is not a string");
    }

    JwkResult result = checkUse(jwk, desc);
    if (result.outcome != JwkOutcome::Loaded) {
        return result;
    }

    // The type before "alg": a key of a type we do not know may well carry
    // an algorithm we do not know either, and must only be skipped.
    JwkType type;
    result = readType(jwk, desc, type);
    if (result.outcome != JwkOutcome::Loaded) {
        return result;
    }

    std::optional<Alg> alg;
    result = readAlg(jwk, desc, alg);
    if (result.outcome != JwkOutcome::Loaded) {
        return result;
    }

    if (alg && !type.algs.contains(*alg)) {
        std::string what = type.kty;
        if (!type.crv.empty()) {
            what += ", curve " + quoted(type.crv);
        }
        return invalidJwk(desc, "\"alg\" " + quoted(algName(*alg))
                                    + " does not fit the key type ("
                                    + what + ")");
    }

    AlgSet algs = alg ? AlgSet::of(*alg) : type.algs;
    if ((algs & allowed).empty()) {
        return {JwkOutcome::NotAllowed,
                "JWK in " + desc + " can only verify " + algs.names()
                    + ", and none of them is allowed"};
    }

    return buildJwkKey(jwk, desc, type, algs & allowed,
                       std::string(kid.value_or("")), keys);
}

// ---------------------------------------------------------------------
// JWK Sets

struct SkipCounts {
    std::size_t notForSignature = 0;
    std::size_t unsupported = 0;
    std::size_t notAllowed = 0;
};

// "key 2" is the second element of "keys": people count from one.
std::string setKeyDesc(const std::string &setDesc, std::size_t index,
                       const json_t *jwk)
{
    std::string desc = setDesc + ", key " + std::to_string(index + 1);

    std::string_view kid;
    if (json_is_object(jwk) && jsonStringMember(jwk, "kid", kid)) {
        desc += " (kid " + quoted(kid) + ")";
    }

    return desc;
}

void countSkip(JwkOutcome outcome, SkipCounts &skips) noexcept
{
    switch (outcome) {
    case JwkOutcome::NotForSignature:
        skips.notForSignature++;
        break;
    case JwkOutcome::Unsupported:
        skips.unsupported++;
        break;
    case JwkOutcome::NotAllowed:
        skips.notAllowed++;
        break;
    case JwkOutcome::Loaded:
    case JwkOutcome::Invalid:
        break;
    }
}

std::string describeSkips(const SkipCounts &skips)
{
    std::string out;

    auto add = [&out](std::size_t n, const char *what) {
        if (n == 0) {
            return;
        }
        out += out.empty() ? " (" : ", ";
        out += std::to_string(n) + " " + what;
    };

    add(skips.notForSignature, "not for signatures");
    add(skips.unsupported, "of an unsupported type or curve");
    add(skips.notAllowed, "for algorithms not allowed here");

    if (!out.empty()) {
        out += " skipped)";
    }
    return out;
}

// RFC 7517 5: keys this module cannot or may not use are passed over, so
// that a provider's published set loads as a whole; any malformed key
// fails the set.
KeyLoad loadJwkSet(const json_t *keysMember, const std::string &setDesc,
                   AlgSet allowed)
{
    if (!json_is_array(keysMember)) {
        return failure("JWK Set in " + setDesc
                       + " is invalid: \"keys\" is not an array");
    }

    KeyLoad load;
    SkipCounts skips;
    std::size_t i;
    const json_t *jwk;

    json_array_foreach(keysMember, i, jwk) {
        std::string desc = setKeyDesc(setDesc, i, jwk);
        JwkResult result = loadOneJwk(jwk, desc, allowed, load.keys);
        if (result.outcome == JwkOutcome::Invalid) {
            return failure(std::move(result.message));
        }
        countSkip(result.outcome, skips);
    }

    if (load.keys.empty()) {
        return failure("JWK Set in " + setDesc + " has no usable key"
                       + describeSkips(skips));
    }

    return load;
}

KeyLoad loadJson(std::string_view content, const std::string &desc,
                 AlgSet allowed)
{
    Json doc = Json::parse(content, kMaxJsonDepth);
    if (!doc) {
        if (jsonNestingDepth(content) > kMaxJsonDepth) {
            return failure("key file " + desc + " nests JSON deeper than "
                           + std::to_string(kMaxJsonDepth) + " levels");
        }
        return failure("key file " + desc + " is not valid JSON (or "
                       "repeats a member name)");
    }

    if (!json_is_object(doc.get())) {
        return failure("key file " + desc
                       + " holds JSON that is neither a JWK nor a JWK Set");
    }

    const json_t *keys = json_object_get(doc.get(), "keys");
    if (keys != nullptr) {
        return loadJwkSet(keys, desc, allowed);
    }

    KeyLoad load;
    JwkResult result = loadOneJwk(doc.get(), desc, allowed, load.keys);
    if (result.outcome != JwkOutcome::Loaded) {
        return failure(std::move(result.message));
    }

    return load;
}

// ---------------------------------------------------------------------
// PEM

struct PemBlock {
    std::string name;
    std::string der;
};

// Every PEM block of the text, in order; text around the blocks is
// ignored, as openssl does.
bool readPemBlocks(std::string_view content, const std::string &desc,
                   std::vector<PemBlock> &blocks, std::string &error)
{
    if (content.size() > INT_MAX) {
        error = "key file " + desc + " is too large";
        return false;
    }

    BioPtr bio(BIO_new_mem_buf(content.data(),
                               static_cast<int>(content.size())));
    if (bio == nullptr) {
        ERR_clear_error();
        error = "out of memory while reading " + desc;
        return false;
    }

    for ( ;; ) {
        char *name = nullptr;
        char *header = nullptr;
        unsigned char *data = nullptr;
        long len = 0;

        int rc = PEM_read_bio(bio.get(), &name, &header, &data, &len);
        OpensslCharsPtr nameOwner(name);
        OpensslCharsPtr headerOwner(header);
        OpensslBytesPtr dataOwner(data);

        if (rc != 1) {
            unsigned long err = ERR_peek_last_error();
            ERR_clear_error();
            // No further "-----BEGIN" line: the normal end of the text.
            if (ERR_GET_LIB(err) == ERR_LIB_PEM
                && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)
            {
                return true;
            }
            error = "PEM data in " + desc + " is malformed";
            return false;
        }

        blocks.push_back({name, std::string(reinterpret_cast<char *>(data),
                                            static_cast<std::size_t>(len))});
    }
}

// RFC 5280 SubjectPublicKeyInfo.
PkeyPtr decodePublicKeyInfo(const std::string &der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    const unsigned char *end = p + der.size();

    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (pkey == nullptr || p != end) {
        ERR_clear_error();
        return nullptr;
    }

    return pkey;
}

// RFC 8017 A.1.1 RSAPublicKey ("BEGIN RSA PUBLIC KEY"). The decoder API is
// the non-deprecated way to read this PKCS#1 structure.
PkeyPtr decodeRsaPublicKey(const std::string &der)
{
    EVP_PKEY *raw = nullptr;
    DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(
        &raw, "DER", "type-specific", "RSA", EVP_PKEY_PUBLIC_KEY, nullptr,
        nullptr));
    if (ctx == nullptr) {
        ERR_clear_error();
        return nullptr;
    }

    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    std::size_t left = der.size();

    int rc = OSSL_DECODER_from_data(ctx.get(), &p, &left);
    PkeyPtr pkey(raw);
    if (rc != 1 || left != 0) {
        ERR_clear_error();
        return nullptr;
    }

    return pkey;
}

// The subject public key of an X.509 certificate. The certificate is only
// a container here: JWS verification does not involve a chain of trust,
// so its validity and issuer are not checked.
PkeyPtr decodeCertificateKey(const std::string &der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    const unsigned char *end = p + der.size();

    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (cert == nullptr || p != end) {
        ERR_clear_error();
        return nullptr;
    }

    PkeyPtr pkey(X509_get_pubkey(cert.get()));
    if (pkey == nullptr) {
        ERR_clear_error();
    }

    return pkey;
}

KeyLoad loadPemBlock(const PemBlock &block, const std::string &desc,
                     AlgSet allowed)
{
    PkeyPtr pkey;

    if (block.name == PEM_STRING_PUBLIC) {
        pkey = decodePublicKeyInfo(block.der);
    } else if (block.name == PEM_STRING_RSA_PUBLIC) {
        pkey = decodeRsaPublicKey(block.der);
    } else if (block.name == PEM_STRING_X509
               || block.name == PEM_STRING_X509_OLD)
    {
        pkey = decodeCertificateKey(block.der);
    } else {
        return failure("PEM block " + quoted(block.name) + " in " + desc
                       + " is not supported; a key file holds \"PUBLIC "
                         "KEY\", \"RSA PUBLIC KEY\" or \"CERTIFICATE\" "
                         "blocks");
    }

    if (pkey == nullptr) {
        return failure("PEM block " + quoted(block.name) + " in " + desc
                       + " could not be decoded");
    }

    std::string error;
    std::optional<Key> key = Key::fromPublicKey(std::move(pkey), allowed,
                                                "", desc, error);
    if (!key) {
        return failure(std::move(error));
    }

    return success(std::move(*key));
}

KeyLoad loadPem(std::string_view content, const std::string &fileDesc,
                AlgSet allowed)
{
    std::vector<PemBlock> blocks;
    std::string error;

    if (!readPemBlocks(content, fileDesc, blocks, error)) {
        return failure(std::move(error));
    }

    if (blocks.empty()) {
        return failure("no PEM block, JWK or JWK Set found in " + fileDesc);
    }

    KeyLoad load;

    for (std::size_t i = 0; i < blocks.size(); i++) {
        std::string desc = fileDesc;
        if (blocks.size() > 1) {
            desc += ", PEM block " + std::to_string(i + 1);
        }

        KeyLoad one = loadPemBlock(blocks[i], desc, allowed);
        if (!one.ok()) {
            return one;
        }
        load.keys.push_back(std::move(one.keys.front()));
    }

    return load;
}

bool isSpace(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

KeyLoad loadSecret(std::string_view value, SecretEncoding encoding,
                   AlgSet allowed)
{
    std::optional<std::string> secret = decodeSecret(value, encoding);
    if (!secret) {
        // The value itself stays out of the message: it is a secret.
        return failure(std::string("secret is not valid ")
                       + encodingName(encoding));
    }

    std::string error;
    std::optional<Key> key = Key::fromSecret(std::move(*secret), allowed, "",
                                             "the configuration", error);
    if (!key) {
        return failure(std::move(error));
    }

    return success(std::move(*key));
}

KeyLoad loadKeyText(std::string_view content, std::string_view source,
                    AlgSet allowed)
{
    std::string desc = quoted(source);

    std::size_t start = 0;
    while (start < content.size() && isSpace(content[start])) {
        start++;
    }

    if (start == content.size()) {
        return failure("key file " + desc + " is empty");
    }

    // From the first non-blank character on, because OpenSSL only sees a
    // "-----BEGIN" line that starts at the beginning of a line.
    std::string_view text = content.substr(start);

    if (text.front() == '{' || text.front() == '[') {
        return loadJson(text, desc, allowed);
    }

    return loadPem(text, desc, allowed);
}

KeyLoad loadJwk(const json_t *jwk, std::string_view source, AlgSet allowed)
{
    KeyLoad load;
    JwkResult result = loadOneJwk(jwk, quoted(source), allowed, load.keys);
    if (result.outcome != JwkOutcome::Loaded) {
        return failure(std::move(result.message));
    }

    return load;
}

}  // namespace authjwt
