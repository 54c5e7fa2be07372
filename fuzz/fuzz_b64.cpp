// libFuzzer target: the strict base64url decoder and the configuration-time
// standard base64 decoder.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// Strictness is a security property here: each byte string must have
// exactly one accepted encoding, or a token could be altered without
// changing its signing input. So whenever decoding succeeds, encoding the
// result must give back the input byte for byte.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base64url.hpp"
#include "fuzz_check.hpp"

namespace {

// Standard padded base64, derived from the url-safe encoder.
std::string encodeStd(std::string_view bytes)
{
    std::string out = authjwt::encodeBase64Url(bytes);
    for (char &c : out) {
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    out.append((4 - out.size() % 4) % 4, '=');
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view in(reinterpret_cast<const char *>(data), size);
    std::optional<std::string> decoded = decodeBase64Url(in);
    if (decoded) {
        fuzzCheck(encodeBase64Url(*decoded) == in,
                  "a decodable input is the canonical encoding");
        fuzzCheck(decoded->size() <= base64UrlDecodedSize(size),
                  "base64UrlDecodedSize is an upper bound");
    }

    // The buffer form, into a heap buffer of exactly the advertised bound
    // (so ASan sees any overrun), must agree with the string form; one
    // byte too few must be refused rather than overrun.
    std::size_t bound = base64UrlDecodedSize(size);
    std::unique_ptr<unsigned char[]> out(new unsigned char[bound]);
    std::optional<std::size_t> n = decodeBase64Url(in, out.get(), bound);
    fuzzCheck(n.has_value() == decoded.has_value(),
              "buffer and string decoders agree on validity");
    if (n) {
        fuzzCheck(std::string_view(reinterpret_cast<char *>(out.get()), *n)
                      == *decoded,
                  "buffer and string decoders agree on bytes");
        if (*n > 0) {
            std::unique_ptr<unsigned char[]> small(new unsigned char[*n - 1]);
            fuzzCheck(!decodeBase64Url(in, small.get(), *n - 1),
                      "a too small buffer is refused");
        }
    }

    // Standard base64 for configured secrets: must not crash, and what it
    // accepts is the padded standard encoding of what it returns.
    std::optional<std::string> std64 = decodeBase64(in);
    if (std64) {
        fuzzCheck(encodeStd(*std64) == in,
                  "decodeBase64 accepts canonical padded base64 only");
    }
    return 0;
}
