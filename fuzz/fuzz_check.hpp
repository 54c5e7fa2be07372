// The one helper the fuzz targets share: a property check that aborts, so
// libFuzzer records the input as a crash and prints the broken property.
//
//   fuzzCheck(!out.payload || status == Status::Ok,
//             "a payload is only returned with Ok");
#pragma once

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>

namespace authjwt {

inline void fuzzCheck(bool holds, const char *property) noexcept
{
    if (!holds) {
        std::fprintf(stderr, "fuzz property violated: %s\n", property);
        std::abort();
    }
}

// The OpenSSL error queue is shared with nginx's TLS code, so every core
// entry point must return with it empty (STYLE.md, "OpenSSL 3").
inline void fuzzCheckErrorQueueEmpty(const char *where) noexcept
{
    unsigned long err = ERR_peek_error();
    if (err != 0) {
        char text[256];
        ERR_error_string_n(err, text, sizeof(text));
        std::fprintf(stderr, "fuzz property violated: %s left an OpenSSL "
                     "error in the queue: %s\n", where, text);
        std::abort();
    }
}

}  // namespace authjwt
