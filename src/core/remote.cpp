#include "remote.hpp"

#include <algorithm>
#include <limits>

#include "json.hpp"

namespace authjwt {

namespace {

constexpr std::string_view kWellKnown = "/.well-known/openid-configuration";
constexpr std::size_t kMaxUrlLength = 2048;

char lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix)
    noexcept
{
    return text.size() >= prefix.size()
           && equalsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// delta-seconds (RFC 9111 1.2.2): digits only; a value too large for the
// type is taken as the largest, as the RFC asks.
std::optional<std::int64_t> deltaSeconds(std::string_view digits) noexcept
{
    if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"') {
        digits = digits.substr(1, digits.size() - 2);
    }
    if (digits.empty()) {
        return std::nullopt;
    }

    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    std::int64_t value = 0;

    for (char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
        if (value > kMax) {
            value = kMax;
        }
    }
    return value;
}

}  // namespace

std::optional<std::int64_t> cacheControlMaxAge(std::string_view value)
{
    std::optional<std::int64_t> maxAge;

    while (!value.empty()) {
        std::size_t comma = value.find(',');
        std::string_view directive = trim(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view()
                                                : value.substr(comma + 1);

        if (equalsIgnoringCase(directive, "no-store")
            || equalsIgnoringCase(directive, "no-cache"))
        {
            return 0;
        }

        if (startsWithIgnoringCase(directive, "max-age=")) {
            auto seconds = deltaSeconds(directive.substr(8));
            if (!seconds) {
                return std::nullopt;
            }
            maxAge = seconds;
        }
    }

    return maxAge;
}

std::string discoveryDocumentUrl(std::string_view issuer)
{
    while (!issuer.empty() && issuer.back() == '/') {
        issuer.remove_suffix(1);
    }
    return std::string(issuer) + std::string(kWellKnown);
}

bool isFetchableUrl(std::string_view url, bool allowHttp) noexcept
{
    if (url.size() > kMaxUrlLength) {
        return false;
    }

    std::size_t hostStart;
    if (startsWithIgnoringCase(url, "https://")) {
        hostStart = 8;
    } else if (allowHttp && startsWithIgnoringCase(url, "http://")) {
        hostStart = 7;
    } else {
        return false;
    }

    if (hostStart >= url.size() || url[hostStart] == '/') {
        return false;
    }

    for (char c : url) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

bool keysAreStale(const FetchTimes &times, const FetchTiming &timing,
                  std::int64_t now) noexcept
{
    if (times.fetched == 0) {
        return false;
    }
    std::int64_t fresh = times.maxAge ? std::max<std::int64_t>(*times.maxAge, 1)
                                      : timing.cacheSeconds;
    return now - times.fetched >= fresh;
}

FetchDecision decideFetch(const FetchTimes &times, KeyNeed need,
                          const FetchTiming &timing, std::int64_t now) noexcept
{
    bool fetching = times.fetchingSince != 0
                    && now - times.fetchingSince < kFetchAbandonedSeconds;
    std::int64_t sinceAttempt = now - times.attempted;

    if (fetching) {
        return need == KeyNeed::None ? FetchDecision::Proceed
                                     : FetchDecision::Wait;
    }

    switch (need) {
    case KeyNeed::Missing:
        return (times.attempted != 0 && sinceAttempt < kColdRetrySeconds)
                   ? FetchDecision::Proceed
                   : FetchDecision::Start;
    case KeyNeed::UnknownKid:
        if (sinceAttempt >= timing.refetchSeconds) {
            return FetchDecision::Start;
        }
        break;
    case KeyNeed::None:
        break;
    }

    if (keysAreStale(times, timing, now)
        && !(times.lastFailed && sinceAttempt < timing.refetchSeconds))
    {
        return FetchDecision::Start;
    }

    return FetchDecision::Proceed;
}

Discovery parseDiscovery(std::string_view body, std::string_view issuer)
{
    Discovery out;

    Json doc = Json::parse(body);
    if (!doc || !json_is_object(doc.get())) {
        out.error = "the discovery document is not a JSON object";
        return out;
    }

    std::string_view documentIssuer;
    if (!jsonStringMember(doc.get(), "issuer", documentIssuer)) {
        out.error = "the discovery document has no \"issuer\"";
        return out;
    }
    if (documentIssuer != issuer) {
        out.error = "the discovery document is for another issuer";
        return out;
    }

    std::string_view jwksUri;
    if (!jsonStringMember(doc.get(), "jwks_uri", jwksUri)) {
        out.error = "the discovery document has no \"jwks_uri\"";
        return out;
    }

    bool allowHttp = startsWithIgnoringCase(issuer, "http://");
    if (!isFetchableUrl(jwksUri, allowHttp)) {
        out.error = allowHttp ? "\"jwks_uri\" is not an http(s) URL"
                              : "\"jwks_uri\" is not an https URL";
        return out;
    }

    out.jwksUri = std::string(jwksUri);
    return out;
}

}  // namespace authjwt
