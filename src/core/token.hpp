// The compact serialization of a JWS (RFC 7515 section 7.1), split and
// checked up to, but not including, the payload.
//
//   std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
//   Token token;
//   Status s = parseCompact(compact, 8192, scratch.data(), scratch.size(),
//                           token);
//   // token.signingInput, token.alg, token.kid, token.signature ...
//   const json_t *header = parsedHeader(token);   // only if needed
//
// The header is scanned, not parsed into a tree, and the payload is not
// looked at until the signature has been checked, so no claim of a forged
// token is ever read.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "alg.hpp"
#include "json.hpp"
#include "status.hpp"

namespace authjwt {

constexpr std::size_t kDefaultMaxTokenSize = 8192;

// Bytes of scratch space parseCompact needs: the decoded header, payload
// and signature take at most three quarters of the compact size, and the
// header's escaped "alg" and "kid", unescaped, at most the header's size
// again.
constexpr std::size_t tokenScratchSize(std::size_t compactSize) noexcept
{
    return compactSize + compactSize / 2 + 8;
}

struct Token {
    // "header.payload" exactly as received: what the signature covers.
    std::string_view signingInput;
    // The decoded header, in the caller's scratch; checked, not parsed.
    std::string_view headerText;
    // The decoded payload, in the caller's scratch; not parsed yet.
    std::string_view payloadText;
    // The header as a tree, once parsedHeader() has built it.
    Json headerTree;
    // The header's "alg", unescaped; alg is set only when it names a
    // supported algorithm ("none" never does).
    std::string_view algName;
    std::optional<Alg> alg;
    // The header's "kid", unescaped, if present.
    std::optional<std::string_view> kid;
    // The decoded signature, in the caller's scratch.
    const unsigned char *signature = nullptr;
    std::size_t signatureSize = 0;
};

// Splits, decodes and checks the header and signature. Returns TooLarge,
// Malformed, BadHeader or UnsupportedCrit, or Ok. The token must outlive
// out, and so must scratch (tokenScratchSize(compact.size()) bytes): the
// views in out point into both.
Status parseCompact(std::string_view compact, std::size_t maxSize,
                    unsigned char *scratch, std::size_t scratchSize,
                    Token &out) noexcept;

// The header of a token parseCompact accepted, parsed now if it was not
// yet; null only if that parse fails, which the header scan rules out.
// Read it only once the signature holds, as the payload.
const json_t *parsedHeader(Token &token) noexcept;

// Parses the payload of a token whose signature has been verified.
// Returns BadPayload, or Ok with a JSON object.
Status parsePayload(const Token &token, Json &payload) noexcept;

}  // namespace authjwt
