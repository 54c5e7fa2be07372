// The compact serialization of a JWS (RFC 7515 section 7.1), split and
// checked up to, but not including, the payload.
//
//   std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
//   Token token;
//   Status s = parseCompact(compact, 8192, scratch.data(), scratch.size(),
//                           token);
//   // token.signingInput, token.alg, token.kid, token.signature ...
//
// The payload is not parsed until the signature has been checked, so no
// claim of a forged token is ever looked at.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "alg.hpp"
#include "json.hpp"
#include "status.hpp"

namespace authjwt {

constexpr std::size_t kDefaultMaxTokenSize = 8192;

// Bytes of scratch space parseCompact needs for the decoded signature and
// payload.
constexpr std::size_t tokenScratchSize(std::size_t compactSize) noexcept
{
    return compactSize + 8;
}

struct Token {
    // "header.payload" exactly as received: what the signature covers.
    std::string_view signingInput;
    // The decoded payload, in the caller's scratch; not parsed yet.
    std::string_view payloadText;
    Json header;
    // The header's "alg" as written; alg is set only when it names a
    // supported algorithm ("none" never does).
    std::string_view algName;
    std::optional<Alg> alg;
    // The header's "kid" (a view into header), if present.
    std::optional<std::string_view> kid;
    // The decoded signature, in the caller's scratch.
    const unsigned char *signature = nullptr;
    std::size_t signatureSize = 0;
};

// Splits, decodes and checks the header and signature. Returns TooLarge,
// Malformed, BadHeader or UnsupportedCrit, or Ok. The token must outlive
// out, and so must scratch (tokenScratchSize(compact.size()) bytes).
Status parseCompact(std::string_view compact, std::size_t maxSize,
                    unsigned char *scratch, std::size_t scratchSize,
                    Token &out) noexcept;

// Parses the payload of a token whose signature has been verified.
// Returns BadPayload, or Ok with a JSON object.
Status parsePayload(const Token &token, Json &payload) noexcept;

}  // namespace authjwt
