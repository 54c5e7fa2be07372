// What the module reads from the HTTP answers that bring remote keys: the
// freshness a Cache-Control header grants, and the OpenID Connect
// discovery document that names the key set.
//
//   std::optional<std::int64_t> ttl = cacheControlMaxAge("public, max-age=600");
//   std::string url = discoveryDocumentUrl("https://idp.example.com/realms/x");
//   Discovery d = parseDiscovery(body, "https://idp.example.com/realms/x");
//   if (!d.ok()) fail(d.error);  // else fetch d.jwksUri
//
// No I/O here: the nginx glue fetches, this decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authjwt {

// Seconds of freshness from a Cache-Control value (RFC 9111 5.2.2):
// "max-age=N"; "no-store" and "no-cache" grant none (0). Empty when the
// value says nothing about freshness or is malformed.
std::optional<std::int64_t> cacheControlMaxAge(std::string_view value);

// OpenID Connect Discovery 1.0 section 4: the issuer's configuration
// document lives under "/.well-known/openid-configuration", appended to the
// issuer without a trailing "/".
std::string discoveryDocumentUrl(std::string_view issuer);

struct Discovery {
    std::string jwksUri;
    std::string error;

    bool ok() const noexcept { return error.empty(); }
};

// Reads a discovery document. Its "issuer" must be exactly the issuer it
// was fetched for (section 4.3: otherwise an attacker's document could
// vouch for another issuer), and "jwks_uri" an absolute http(s) URL with
// no whitespace or control characters; https is required unless the
// issuer itself is plain http.
Discovery parseDiscovery(std::string_view body, std::string_view issuer);

// When a worker holding remote keys asks for them again. Times are Unix
// seconds; the glue keeps them in shared memory, so every worker decides
// from the same facts.
struct FetchTimes {
    std::int64_t fetched = 0;        // last success; 0: never
    std::int64_t attempted = 0;      // start of the last fetch; 0: never
    std::int64_t fetchingSince = 0;  // a fetch in progress; 0: none
    bool lastFailed = false;
    std::optional<std::int64_t> maxAge;  // from the last success
};

struct FetchTiming {
    std::int64_t cacheSeconds = 600;   // freshness without max-age
    std::int64_t refetchSeconds = 30;  // least time between asking again
};

// A fetch that has not finished after this long is taken as abandoned (its
// worker died), so that another may start.
constexpr std::int64_t kFetchAbandonedSeconds = 60;
// With no keys at all, a failed fetch is retried after this long.
constexpr std::int64_t kColdRetrySeconds = 1;

// What a request's verdict asks of the keys.
enum class KeyNeed {
    None,        // the keys in hand decided it
    Missing,     // no keys at all yet
    UnknownKid,  // the token's kid is in none of them
};

enum class FetchDecision {
    Proceed,  // answer with the keys in hand
    Start,    // this request fetches, and waits for the answer
    Wait,     // another fetch is on its way: wait for it
};

// Whether keys fetched at times.fetched are past their freshness: max-age
// when the answer had one (at least a second), cacheSeconds otherwise.
bool keysAreStale(const FetchTimes &times, const FetchTiming &timing,
                  std::int64_t now) noexcept;

// The rules: one fetch at a time; with no keys, fetch (once a second at
// most while it fails); an unknown kid asks again at most once per
// refetchSeconds; stale keys are refreshed, after a failure only once per
// refetchSeconds, and meanwhile stay in use (last known good). Requests
// that cannot be answered without new keys wait for a fetch in progress.
FetchDecision decideFetch(const FetchTimes &times, KeyNeed need,
                          const FetchTiming &timing,
                          std::int64_t now) noexcept;

// Whether text is an absolute "https://" (or, when allowed, "http://") URL
// with a host and no whitespace or control characters.
bool isFetchableUrl(std::string_view url, bool allowHttp) noexcept;

}  // namespace authjwt
