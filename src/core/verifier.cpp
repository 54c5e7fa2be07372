#include "verifier.hpp"

#include "payload_scan.hpp"

#include <cmath>
#include <cstring>

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
    EVP_MAC_CTX *ctx = key.hmacContext(alg);
    if (ctx == nullptr || size != algDigestSize(alg)) {
        return false;
    }
    unsigned char mac[kMaxMacSize];
    std::size_t macSize = 0;
    // a restart with the key already set: no copy, no allocation
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1
        || EVP_MAC_update(ctx,
                          reinterpret_cast<const unsigned char *>(
                              input.data()),
                          input.size()) != 1
        || EVP_MAC_final(ctx, mac, &macSize, sizeof(mac)) != 1
        || macSize != size)
    {
        return fail();
    }
    // Constant time, so that the comparison leaks nothing about the MAC.
    return CRYPTO_memcmp(mac, signature, size) == 0;
}

// Checks a signature (DER for ECDSA) over the digest of input with the
// context the key prepared for alg: no copy and no context per request.
bool verifyDigest(const Key &key, Alg alg, std::string_view input,
                  const unsigned char *signature, std::size_t size) noexcept
{
    EVP_PKEY_CTX *ctx = key.verifyContext(alg);
    if (ctx == nullptr) {
        return false;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t digestSize = key.digestInput(alg, input, digest);
    if (digestSize == 0) {
        return false;
    }
    int rc = EVP_PKEY_verify(ctx, signature, size, digest, digestSize);
    return rc == 1 ? true : fail();
}

bool verifyRsa(const Key &key, Alg alg, std::string_view input,
               const unsigned char *signature, std::size_t size) noexcept
{
    // RFC 7518 3.3: the signature is exactly as long as the modulus.
    if (size != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) {
        return false;
    }
    return verifyDigest(key, alg, input, signature, size);
}

// Writes the unsigned big-endian value as a DER INTEGER (X.690 8.3): no
// leading zero bytes but the one that keeps a set top bit from reading as
// a sign. At most 69 bytes for a 66-byte value. Returns its size.
std::size_t putDerInteger(const unsigned char *value, std::size_t size,
                          unsigned char *out) noexcept
{
    while (size > 1 && value[0] == 0) {
        value++;
        size--;
    }
    std::size_t pad = (value[0] & 0x80) != 0 ? 1 : 0;
    out[0] = 0x02;
    out[1] = static_cast<unsigned char>(size + pad);
    out[2] = 0x00;
    std::memcpy(out + 2 + pad, value, size);
    return 2 + pad + size;
}

bool isZero(const unsigned char *value, std::size_t size) noexcept
{
    unsigned char any = 0;
    for (std::size_t i = 0; i < size; i++) {
        any |= value[i];
    }
    return any == 0;
}

// JWS carries ECDSA signatures as R || S, each exactly as long as the
// field (RFC 7518 3.4); OpenSSL wants the DER ECDSA-Sig-Value, written
// here without building BIGNUMs. OpenSSL parses it back and refuses any
// encoding but the canonical one, so a mistake here could only refuse.
// Zero values are refused before OpenSSL sees them ("psychic
// signatures").
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
    const unsigned char *r = signature;
    const unsigned char *s = signature + half;
    if (isZero(r, half) || isZero(s, half)) {
        return false;
    }

    // SEQUENCE { INTEGER r, INTEGER s }; its length takes a second byte
    // from 128 on (P-521).
    unsigned char integers[2 * (2 + 1 + 66)];
    std::size_t length = putDerInteger(r, half, integers);
    length += putDerInteger(s, half, integers + length);

    unsigned char der[kMaxDerEcdsaSize];
    std::size_t header = 0;
    der[header++] = 0x30;
    if (length >= 0x80) {
        der[header++] = 0x81;
    }
    der[header++] = static_cast<unsigned char>(length);
    std::memcpy(der + header, integers, length);
    return verifyDigest(key, alg, input, der, header + length);
}

// A copy of the key's EdDSA template per verification (see
// Key::eddsaTemplate): the one verification that allocates contexts, and
// by far the slowest, so the one where a copy matters least.
bool verifyEddsa(const Key &key, std::string_view input,
                 const unsigned char *signature, std::size_t size) noexcept
{
    std::size_t expected =
        EVP_PKEY_get_base_id(key.pkey()) == EVP_PKEY_ED448 ? 114 : 64;
    const EVP_MD_CTX *prepared = key.eddsaTemplate();
    if (size != expected || prepared == nullptr) {
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

namespace {

// verifySignature, also telling which key verified the signature.
Status checkSignature(const Token &token, const KeySet &keys, AlgSet allowed,
                      const Key *&verifiedBy) noexcept
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
            verifiedBy = &key;
            return Status::Ok;
        }
    }
    return triedAny ? Status::BadSignature : Status::NoKey;
}

bool needsTree(const VerifyOptions &options) noexcept
{
    return (options.issuers != nullptr && !options.issuers->empty())
           || (options.audiences != nullptr && !options.audiences->empty());
}

// What the cache keeps of an accepted token: the token's bytes decide all
// of it, so it holds for as long as those bytes are presented.
CachedToken describe(const Token &token, const Key &key,
                     const TimeClaims &times) noexcept
{
    CachedToken entry;
    entry.key = key.fingerprint();
    entry.alg = *token.alg;
    entry.hasKid = token.kid.has_value();
    entry.kidHash = token.kid ? kidHash(*token.kid) : 0;
    entry.times = times;
    return entry;
}

// The uncached path. On Ok, and when entry is not null, *entry describes
// the token for the cache and described is set (unless memory ran out
// while scanning the payload again).
Status verifyFull(std::string_view compact, const KeySet &keys,
                  const VerifyOptions &options, std::int64_t now,
                  unsigned char *scratch, std::size_t scratchSize,
                  VerifiedToken &out, CachedToken *entry,
                  bool &described) noexcept
{
    described = false;

    Status status = parseCompact(compact, options.maxSize, scratch,
                                 scratchSize, out.token);
    if (status != Status::Ok) {
        return status;
    }
    const Key *verifiedBy = nullptr;
    status = checkSignature(out.token, keys, options.allowed, verifiedBy);
    if (status != Status::Ok) {
        return status;
    }

    TimeClaims times;
    bool timesKnown = false;
    if (options.deferPayload && !needsTree(options)) {
        status = scanPayload(out.token.payloadText, times);
        timesKnown = (status == Status::Ok);
        if (timesKnown) {
            status = checkTimes(times, now, options.time);
        }

    } else {
        Json payload;
        status = parsePayload(out.token, payload);
        if (status == Status::Ok) {
            status = checkRegisteredClaims(payload.get(), options, now);
        }
        if (status == Status::Ok) {
            out.payload = std::move(payload);
            // the cache keeps the time claims as the scanner reads them
            timesKnown = entry != nullptr
                         && scanPayload(out.token.payloadText, times)
                                == Status::Ok;
        }
    }

    if (status == Status::Ok && timesKnown && entry != nullptr) {
        *entry = describe(out.token, *verifiedBy, times);
        described = true;
    }
    return status;
}

// The key that verified a cached token, if this key set holds it and would
// pick it for the token here: the token's alg allowed, and one the key may
// verify; the key chosen by the token's kid as checkSignature chooses. Null
// sends the token to a full verification, which gives the exact verdict;
// this only ever decides whether the signature check may be skipped.
const Key *cachedKey(const CachedToken &entry, const KeySet &keys,
                     AlgSet allowed) noexcept
{
    if (!allowed.contains(entry.alg)) {
        return nullptr;
    }

    const Key *found = nullptr;
    for (const Key &key : keys.keys()) {
        if (key.fingerprint() == entry.key && key.algs().contains(entry.alg)) {
            found = &key;
            break;
        }
    }
    if (found == nullptr || !entry.hasKid) {
        return found;
    }

    // The fingerprint covers the kid, so a key with a kid was picked by
    // the token's own kid when the entry was stored; compare anyway.
    if (!found->kid().empty()) {
        return found->kidHash() == entry.kidHash ? found : nullptr;
    }

    // A key without kid serves a token with kid only while no key carries
    // that kid. A hash collision errs towards a full verification.
    for (const Key &key : keys.keys()) {
        if (!key.kid().empty() && key.kidHash() == entry.kidHash) {
            return nullptr;
        }
    }
    return found;
}

// An entry lives until the token's exp at most: after that, leeway or not,
// the token is verified in full. Tokens without exp, and long-lived ones,
// are verified again every kMaxCachedSeconds. Returns now when the token
// is not worth storing.
std::int64_t cacheExpiry(const TimeClaims &times, std::int64_t now) noexcept
{
    std::int64_t cap = now + kMaxCachedSeconds;

    if (times.exp.presence != TimeClaim::Presence::Number) {
        return cap;
    }

    double exp = std::floor(times.exp.value);
    if (!(exp > static_cast<double>(now))) {
        return now;
    }
    if (exp >= static_cast<double>(cap)) {
        return cap;
    }
    return static_cast<std::int64_t>(exp);
}

// A token found in the cache, whose key still applies: the checks that
// depend on the location and the clock, as verifyFull makes them after
// the signature. The token is parsed now only if they need its payload.
Status acceptCached(std::string_view compact, const CachedToken &entry,
                    const VerifyOptions &options, std::int64_t now,
                    unsigned char *scratch, std::size_t scratchSize,
                    VerifiedToken &out) noexcept
{
    Status status = checkTimes(entry.times, now, options.time);
    if (status != Status::Ok) {
        return status;
    }

    out.unparsed = compact;
    out.scratch = scratch;
    out.scratchSize = scratchSize;

    if (options.deferPayload && !needsTree(options)) {
        return Status::Ok;
    }

    const json_t *payload = verifiedPayload(out);
    if (payload == nullptr) {
        return Status::InternalError;
    }
    if (options.issuers != nullptr) {
        status = checkIssuer(payload, *options.issuers);
    }
    if (status == Status::Ok && options.audiences != nullptr) {
        status = checkAudience(payload, *options.audiences);
    }
    if (status != Status::Ok) {
        out.payload = Json();
    }
    return status;
}

Status verifyWithCache(std::string_view compact, const KeySet &keys,
                       const VerifyOptions &options, std::int64_t now,
                       unsigned char *scratch, std::size_t scratchSize,
                       VerifiedToken &out) noexcept
{
    TokenCache &cache = *options.cache;
    RecentTokens &recent = cache.recent();
    TokenDigest digest;
    CachedToken entry;
    std::int64_t expires = 0;
    bool described = false;

    // Missing and TooLarge come first, as without a cache.
    if (compact.empty() || compact.size() > options.maxSize) {
        return verifyFull(compact, keys, options, now, scratch, scratchSize,
                          out, nullptr, described);
    }

    // This worker's recent tokens first: no SHA-256, no lock.
    if (recent.lookup(compact, now, entry)
        && cachedKey(entry, keys, options.allowed) != nullptr)
    {
        out.cache = CacheUse::Hit;
        return acceptCached(compact, entry, options, now, scratch,
                            scratchSize, out);
    }

    if (!cache.digest(compact, digest)) {
        return verifyFull(compact, keys, options, now, scratch, scratchSize,
                          out, nullptr, described);
    }

    if (cache.lookup(digest, now, entry, expires)
        && cachedKey(entry, keys, options.allowed) != nullptr)
    {
        recent.remember(compact, entry, expires);
        out.cache = CacheUse::Hit;
        return acceptCached(compact, entry, options, now, scratch,
                            scratchSize, out);
    }

    out.cache = CacheUse::Miss;

    // Only accepted tokens are stored: a refused one is verified in full
    // every time, as without a cache.
    Status status = verifyFull(compact, keys, options, now, scratch,
                               scratchSize, out, &entry, described);
    if (status == Status::Ok && described) {
        expires = cacheExpiry(entry.times, now);
        if (expires > now) {
            cache.store(digest, entry, expires);
            recent.remember(compact, entry, expires);
        }
    }
    return status;
}

}  // namespace

// Parses a token accepted from the cache, once, on first need.
bool parseCachedToken(VerifiedToken &verified) noexcept
{
    if (verified.unparsed.empty()) {
        return true;
    }
    std::string_view compact = verified.unparsed;
    verified.unparsed = std::string_view();
    return parseCompact(compact, compact.size(), verified.scratch,
                        verified.scratchSize, verified.token)
           == Status::Ok;
}

Status verifySignature(const Token &token, const KeySet &keys,
                       AlgSet allowed) noexcept
{
    const Key *verifiedBy = nullptr;
    return checkSignature(token, keys, allowed, verifiedBy);
}

Status verifyCompact(std::string_view compact, const KeySet &keys,
                     const VerifyOptions &options, std::int64_t now,
                     unsigned char *scratch, std::size_t scratchSize,
                     VerifiedToken &out) noexcept
{
    // A reused result must not keep an earlier token's trusted payload.
    out.payload = Json();
    out.cache = CacheUse::None;
    out.unparsed = std::string_view();

    if (options.cache != nullptr) {
        return verifyWithCache(compact, keys, options, now, scratch,
                               scratchSize, out);
    }

    bool described = false;
    return verifyFull(compact, keys, options, now, scratch, scratchSize, out,
                      nullptr, described);
}

const json_t *verifiedPayload(VerifiedToken &verified) noexcept
{
    if (!verified.payload && parseCachedToken(verified)) {
        Json parsed = Json::parse(verified.token.payloadText);
        if (json_is_object(parsed.get())) {
            verified.payload = std::move(parsed);
        }
    }
    return verified.payload.get();
}

const json_t *verifiedHeader(VerifiedToken &verified) noexcept
{
    if (!parseCachedToken(verified)) {
        return nullptr;
    }
    return parsedHeader(verified.token);
}

}  // namespace authjwt
