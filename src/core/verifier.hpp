// Signature verification: algorithm allowlist, key selection, and the
// cryptographic check, in that order.
//
//   Status s = verifySignature(token, keys, allowed);
//
// verifyCompact runs the whole path, through a TokenCache when one is set
// in VerifyOptions (see token_cache.hpp).
//
// Key selection: a token with "kid" is checked against the keys carrying
// that kid only (none: UnknownKid); without "kid", every key whose type fits
// the algorithm is tried. Header members that name keys ("jwk", "jku",
// "x5u", "x5c") are never used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alg.hpp"
#include "claims.hpp"
#include "json.hpp"
#include "key.hpp"
#include "status.hpp"
#include "token.hpp"
#include "token_cache.hpp"

namespace authjwt {

// Returns AlgNotAllowed, UnknownKid, NoKey, BadSignature or Ok.
Status verifySignature(const Token &token, const KeySet &keys,
                       AlgSet allowed) noexcept;

// Checks one signature with one key; the low-level step, exposed for tests.
bool verifyWithKey(const Key &key, Alg alg, std::string_view signingInput,
                   const unsigned char *signature,
                   std::size_t signatureSize) noexcept;

struct VerifyOptions {
    AlgSet allowed = AlgSet::all();
    TimeRules time;
    std::size_t maxSize = kDefaultMaxTokenSize;
    // Accepted "iss" and "aud" values; null or empty accepts any.
    const std::vector<std::string> *issuers = nullptr;
    const std::vector<std::string> *audiences = nullptr;
    // Check the payload with scanPayload and leave the tree to be built by
    // verifiedPayload() on first use (when no issuer or audience needs it
    // now): most requests then never build one.
    bool deferPayload = false;
    // Tokens verified before are looked up here first, and tokens accepted
    // now are stored; null: no cache.
    TokenCache *cache = nullptr;
};

// How verifyCompact used options.cache: not at all (none set, or the token
// was refused before a lookup: missing, too large), a miss (the token was
// verified in full), or a hit (no signature check).
enum class CacheUse { None, Miss, Hit };

struct VerifiedToken {
    Token token;
    Json payload;
    CacheUse cache = CacheUse::None;
    // A token accepted from the cache is parsed only when its header or
    // payload is read (verifiedHeader, verifiedPayload): until then token
    // is empty, and these say what to parse, where.
    std::string_view unparsed;
    unsigned char *scratch = nullptr;
    std::size_t scratchSize = 0;
};

// The whole path: parse, verify the signature, decode the payload, check
// the time claims, then the issuer and the audience. out.token is filled
// as far as parsing got; out.payload only once everything holds (and,
// with deferPayload, only through verifiedPayload()). With a cache, a
// token found there skips the parse, the signature and the payload scan;
// its time claims, issuer and audience are checked as always, and the
// header and payload are parsed on first read (with deferPayload) or now.
Status verifyCompact(std::string_view compact, const KeySet &keys,
                     const VerifyOptions &options, std::int64_t now,
                     unsigned char *scratch, std::size_t scratchSize,
                     VerifiedToken &out) noexcept;

// Fills verified.token for a token accepted from the cache, which is left
// unparsed until something reads it; true at once for any other. False
// only when memory runs out.
bool parseCachedToken(VerifiedToken &verified) noexcept;

// The payload of a token verifyCompact accepted, parsed now if it was
// deferred; null only if that parse fails, which the scanner rules out.
const json_t *verifiedPayload(VerifiedToken &verified) noexcept;

// The header of a token verifyCompact accepted as a tree, built on first
// use (and the token parsed first if it came from the cache); null only
// when memory runs out.
const json_t *verifiedHeader(VerifiedToken &verified) noexcept;

}  // namespace authjwt
