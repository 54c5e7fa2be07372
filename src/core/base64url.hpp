// Strict base64url (RFC 4648 section 5, no padding), as JWS requires.
//
//   std::string out(base64UrlDecodedSize(in.size()), '\0');
//   auto n = decodeBase64Url(in, out.data(), out.size());
//   if (!n) return Status::Malformed;
//   out.resize(*n);
//
// Decoding refuses padding, characters outside the URL-safe alphabet, an
// impossible length (4k+1) and non-zero trailing bits, so each byte string
// has exactly one accepted encoding: a token cannot be altered without
// changing its signing input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authjwt {

// An upper bound of the decoded size of an encoded string of length n.
constexpr std::size_t base64UrlDecodedSize(std::size_t n) noexcept
{
    return n / 4 * 3 + 2;
}

// Decodes into out (capacity outSize); returns the decoded length, or
// nothing if the input is not canonical base64url or does not fit.
std::optional<std::size_t> decodeBase64Url(std::string_view in,
                                           unsigned char *out,
                                           std::size_t outSize) noexcept;

// Convenience for configuration-time callers (JWK members).
std::optional<std::string> decodeBase64Url(std::string_view in);

// Standard base64 (RFC 4648 section 4) with padding, for secrets given as
// "base64" in the configuration. Whitespace is not accepted.
std::optional<std::string> decodeBase64(std::string_view in);

std::string encodeBase64Url(std::string_view bytes);

// The value of one hexadecimal digit, either case, or -1 (hex secrets, JSON
// \u escapes).
int hexDigitValue(char c) noexcept;

}  // namespace authjwt
