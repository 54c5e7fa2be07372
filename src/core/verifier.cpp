#include "verifier.hpp"

#include "payload_scan.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

namespace authjwt {

namespace {

constexpr std::size_t kMaxMacSize = 64;
// A DER ECDSA-Sig-Value for P-521 is at most 139 bytes.
constexpr std::size_t kMaxDerEcdsaSize = 160;

bool fail() noexcept
{
    // The error queue is shared with nginx's TLS code: leave it empty.
    ERR_clear_error();
    return false;
}

bool verifyHmac(const Key &key, Alg alg, std::string_view input,
                const unsigned char *signature, std::size_t size) noexcept
{
    const EVP_MAC_CTX *prepared = key.hmacTemplate(alg);
    if (prepared == nullptr || size != algDigestSize(alg)) {
        return false;
    }
    MacCtxPtr ctx(EVP_MAC_CTX_dup(prepared));
    unsigned char mac[kMaxMacSize];
    std::size_t macSize = 0;
    if (ctx == nullptr
        || EVP_MAC_update(ctx.get(),
                          reinterpret_cast<const unsigned char *>(
                              input.data()),
                          input.size()) != 1
        || EVP_MAC_final(ctx.get(), mac, &macSize, sizeof(mac)) != 1
        || macSize != size)
    {
        return fail();
    }
    // Constant time, so that the comparison leaks nothing about the MAC.
    return CRYPTO_memcmp(mac, signature, size) == 0;
}

// A copy of the verification context the key prepared for alg, so that a
// request fetches no digest and builds no key context of its own.
bool digestVerify(const Key &key, Alg alg, std::string_view input,
                  const unsigned char *signature, std::size_t size) noexcept
{
    const EVP_MD_CTX *prepared = key.verifyTemplate(alg);
    if (prepared == nullptr) {
        return false;
    }
    MdCtxPtr md(EVP_MD_CTX_new());
    if (md == nullptr || EVP_MD_CTX_copy_ex(md.get(), prepared) != 1) {
        return fail();
    }
    int rc = EVP_DigestVerify(md.get(), signature, size,
                              reinterpret_cast<const unsigned char *>(
                                  input.data()),
                              input.size());
    return rc == 1 ? true : fail();
}

bool verifyRsa(const Key &key, Alg alg, std::string_view input,
               const unsigned char *signature, std::size_t size) noexcept
{
    // RFC 7518 3.3: the signature is exactly as long as the modulus.
    if (size != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) {
        return false;
    }
    return digestVerify(key, alg, input, signature, size);
}

// JWS carries ECDSA signatures as R || S, each exactly as long as the
// field (RFC 7518 3.4); OpenSSL wants DER. Zero values are refused before
// OpenSSL sees them ("psychic signatures").
bool verifyEcdsa(const Key &key, Alg alg, std::string_view input,
                 const unsigned char *signature, std::size_t size) noexcept
{
    std::size_t half = 0;
    switch (alg) {
    case Alg::ES256:
        half = 32;
        break;
    case Alg::ES384:
        half = 48;
        break;
    default:
        half = 66;
        break;
    }
    if (size != 2 * half) {
        return false;
    }

    BignumPtr r(BN_bin2bn(signature, static_cast<int>(half), nullptr));
    BignumPtr s(BN_bin2bn(signature + half, static_cast<int>(half), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (r == nullptr || s == nullptr || sig == nullptr) {
        return fail();
    }
    if (BN_is_zero(r.get()) || BN_is_zero(s.get())) {
        return false;
    }
    if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        return fail();
    }
    r.release();
    s.release();

    unsigned char der[kMaxDerEcdsaSize];
    int derSize = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (derSize <= 0 || static_cast<std::size_t>(derSize) > sizeof(der)) {
        return fail();
    }
    unsigned char *end = der;
    i2d_ECDSA_SIG(sig.get(), &end);
    return digestVerify(key, alg, input, der,
                        static_cast<std::size_t>(derSize));
}

bool verifyEddsa(const Key &key, std::string_view input,
                 const unsigned char *signature, std::size_t size) noexcept
{
    std::size_t expected =
        EVP_PKEY_get_base_id(key.pkey()) == EVP_PKEY_ED448 ? 114 : 64;
    if (size != expected) {
        return false;
    }
    return digestVerify(key, Alg::EdDSA, input, signature, size);
}

// Keys a token may be checked with: those carrying its kid; when none
// does, keys configured without a kid, which the operator trusts for any
// token. A token without kid may be checked with every key.
bool kidSelects(const Key &key, const Token &token,
                bool kidKnown) noexcept
{
    if (!token.kid) {
        return true;
    }
    return kidKnown ? key.kid() == *token.kid : key.kid().empty();
}

bool anyKeyWithoutKid(const KeySet &keys) noexcept
{
    for (const Key &key : keys.keys()) {
        if (key.kid().empty()) {
            return true;
        }
    }
    return false;
}

Status checkRegisteredClaims(const json_t *payload,
                             const VerifyOptions &options,
                             std::int64_t now) noexcept
{
    Status status = checkTimeClaims(payload, now, options.time);
    if (status == Status::Ok && options.issuers != nullptr) {
        status = checkIssuer(payload, *options.issuers);
    }
    if (status == Status::Ok && options.audiences != nullptr) {
        status = checkAudience(payload, *options.audiences);
    }
    return status;
}

}  // namespace

bool verifyWithKey(const Key &key, Alg alg, std::string_view signingInput,
                   const unsigned char *signature,
                   std::size_t signatureSize) noexcept
{
    if (!key.algs().contains(alg)) {
        return false;
    }
    switch (algFamily(alg)) {
    case AlgFamily::Hmac:
        return verifyHmac(key, alg, signingInput, signature, signatureSize);
    case AlgFamily::RsaPkcs1:
    case AlgFamily::RsaPss:
        return verifyRsa(key, alg, signingInput, signature, signatureSize);
    case AlgFamily::Ecdsa:
        return verifyEcdsa(key, alg, signingInput, signature, signatureSize);
    case AlgFamily::EdDsa:
        return verifyEddsa(key, signingInput, signature, signatureSize);
    }
    return false;
}

Status verifySignature(const Token &token, const KeySet &keys,
                       AlgSet allowed) noexcept
{
    if (!token.alg || !allowed.contains(*token.alg)) {
        return Status::AlgNotAllowed;
    }
    Alg alg = *token.alg;

    bool kidKnown = token.kid && keys.hasKid(*token.kid);
    if (token.kid && !kidKnown && !anyKeyWithoutKid(keys)) {
        return Status::UnknownKid;
    }

    bool triedAny = false;
    for (const Key &key : keys.keys()) {
        if (!kidSelects(key, token, kidKnown) || !key.algs().contains(alg)) {
            continue;
        }
        triedAny = true;
        if (verifyWithKey(key, alg, token.signingInput, token.signature,
                          token.signatureSize))
        {
            return Status::Ok;
        }
    }
    return triedAny ? Status::BadSignature : Status::NoKey;
}

Status verifyCompact(std::string_view compact, const KeySet &keys,
                     const VerifyOptions &options, std::int64_t now,
                     unsigned char *scratch, std::size_t scratchSize,
                     VerifiedToken &out) noexcept
{
    // A reused result must not keep an earlier token's trusted payload.
    out.payload = Json();

    Status status = parseCompact(compact, options.maxSize, scratch,
                                 scratchSize, out.token);
    if (status != Status::Ok) {
        return status;
    }
    status = verifySignature(out.token, keys, options.allowed);
    if (status != Status::Ok) {
        return status;
    }
    bool needsTree = (options.issuers != nullptr && !options.issuers->empty())
                     || (options.audiences != nullptr
                         && !options.audiences->empty());
    if (options.deferPayload && !needsTree) {
        TimeClaims times;
        status = scanPayload(out.token.payloadText, times);
        return status == Status::Ok ? checkTimes(times, now, options.time)
                                    : status;
    }

    Json payload;
    status = parsePayload(out.token, payload);
    if (status != Status::Ok) {
        return status;
    }
    status = checkRegisteredClaims(payload.get(), options, now);
    if (status != Status::Ok) {
        return status;
    }
    out.payload = std::move(payload);
    return Status::Ok;
}

const json_t *verifiedPayload(VerifiedToken &verified) noexcept
{
    if (!verified.payload) {
        Json parsed = Json::parse(verified.token.payloadText);
        if (json_is_object(parsed.get())) {
            verified.payload = std::move(parsed);
        }
    }
    return verified.payload.get();
}

}  // namespace authjwt
