// A strict single-pass check of a JOSE header (RFC 7515 4) that extracts
// "alg" and "kid", so the request path need not build a Jansson tree for
// it; the tree is built only for a variable that reads the header
// (parsedHeader() in token.hpp).
//
//   JoseHeader header;
//   Status s = scanHeader(text, buffer, text.size(), header);
//   // Ok: header.alg, header.kid (views into text or buffer)
//
// It accepts exactly what Json::parse and the header rules accept: a JSON
// object (json_scan.hpp), "alg" a string, "kid" a string if present, and
// no "crit" (UnsupportedCrit, once the rest holds). A fuzz target holds it
// to that (fuzz/fuzz_header.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "status.hpp"

namespace authjwt {

struct JoseHeader {
    // The values, unescaped: views into the text when written without
    // escapes, into the caller's buffer otherwise.
    std::string_view alg;
    std::optional<std::string_view> kid;
    // Bytes of the buffer the unescaped values took.
    std::size_t bufferUsed = 0;
};

// Returns Ok, BadHeader, UnsupportedCrit, or InternalError when memory
// runs out or buffer is smaller than text.size() bytes and an escaped
// value needs more.
Status scanHeader(std::string_view text, char *buffer, std::size_t bufferSize,
                  JoseHeader &out) noexcept;

}  // namespace authjwt
