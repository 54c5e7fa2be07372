// libFuzzer target: what the module reads from a key provider's answers,
// a Cache-Control value and an OpenID Connect discovery document, both
// chosen by the provider (or by whoever sits between it and nginx).
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// The input is split at its first NUL: before it the Cache-Control value,
// after it the discovery document. A freshness is never negative nor
// beyond 32 bits; a jwks_uri that is accepted is one nginx may proxy to:
// https (the issuer here is https), a host, no whitespace or control
// byte that could split the request line nginx sends.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/remote.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

constexpr std::string_view kIssuer = "https://idp.example/realms/a";

void checkMaxAge(std::string_view value)
{
    auto age = cacheControlMaxAge(value);
    fuzzCheck(!age || (*age >= 0
                       && *age <= std::numeric_limits<std::int32_t>::max()),
              "max-age is within 0 .. 2^31-1");
}

void checkDiscovery(std::string_view body)
{
    Discovery found = parseDiscovery(body, kIssuer);
    if (!found.ok()) {
        fuzzCheck(found.jwksUri.empty(), "a refused document names no URL");
        return;
    }

    // checked apart from isFetchableUrl, which the parser uses
    std::string scheme = found.jwksUri.substr(0, 8);
    for (char &c : scheme) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    fuzzCheck(scheme == "https://" && found.jwksUri.size() > 8
                  && found.jwksUri[8] != '/',
              "an accepted jwks_uri is https, with a host");
    for (char c : found.jwksUri) {
        auto u = static_cast<unsigned char>(c);
        fuzzCheck(u > 0x20 && u != 0x7f,
                  "an accepted jwks_uri has no space or control byte");
    }
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::size_t nul = input.find('\0');

    authjwt::checkMaxAge(input.substr(0, nul));
    if (nul != std::string_view::npos) {
        authjwt::checkDiscovery(input.substr(nul + 1));
    }

    return 0;
}
