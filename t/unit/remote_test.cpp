// Cache-Control freshness and OpenID Connect discovery documents: what the
// module reads from the answers that bring remote keys.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/remote.hpp"

namespace authjwt {
namespace {

TEST(CacheControl, MaxAgeAlone)
{
    EXPECT_EQ(cacheControlMaxAge("max-age=600"), 600);
    EXPECT_EQ(cacheControlMaxAge("max-age=0"), 0);
}

TEST(CacheControl, AmongOtherDirectivesInAnyCase)
{
    EXPECT_EQ(cacheControlMaxAge("public, Max-Age=3600, must-revalidate"),
              3600);
    EXPECT_EQ(cacheControlMaxAge("  max-age=5  ,private"), 5);
    EXPECT_EQ(cacheControlMaxAge("max-age=\"60\""), 60);
}

TEST(CacheControl, NoStoreAndNoCacheGrantNothing)
{
    EXPECT_EQ(cacheControlMaxAge("no-store"), 0);
    EXPECT_EQ(cacheControlMaxAge("max-age=600, no-cache"), 0);
    EXPECT_EQ(cacheControlMaxAge("No-Cache"), 0);
}

TEST(CacheControl, SilentOrMalformed)
{
    EXPECT_EQ(cacheControlMaxAge(""), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("public"), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("s-maxage=60"), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("max-age="), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("max-age=-1"), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("max-age=1e3"), std::nullopt);
    EXPECT_EQ(cacheControlMaxAge("max-age=60x"), std::nullopt);
}

TEST(CacheControl, HugeValuesSaturate)
{
    EXPECT_EQ(cacheControlMaxAge("max-age=99999999999999999999999999"),
              2147483647);
}

TEST(Discovery, DocumentUrl)
{
    EXPECT_EQ(discoveryDocumentUrl("https://idp.example/realms/a"),
              "https://idp.example/realms/a/.well-known/openid-configuration");
    EXPECT_EQ(discoveryDocumentUrl("https://idp.example/"),
              "https://idp.example/.well-known/openid-configuration");
}

const std::string kIssuer = "https://idp.example/realms/a";

TEST(Discovery, ReadsJwksUri)
{
    Discovery d = parseDiscovery(
        R"({"issuer":"https://idp.example/realms/a",)"
        R"("jwks_uri":"https://keys.example/certs","other":[1,2]})",
        kIssuer);
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_EQ(d.jwksUri, "https://keys.example/certs");
}

TEST(Discovery, IssuerMustMatchExactly)
{
    for (const char *issuer : {"https://idp.example/realms/a/",
                               "https://IDP.example/realms/a",
                               "https://evil.example/realms/a"}) {
        std::string body = std::string(R"({"issuer":")") + issuer
                           + R"(","jwks_uri":"https://k.example/c"})";
        Discovery d = parseDiscovery(body, kIssuer);
        EXPECT_FALSE(d.ok()) << issuer;
        EXPECT_NE(d.error.find("another issuer"), std::string::npos);
    }
}

TEST(Discovery, RefusesMissingOrBadMembers)
{
    const char *bodies[] = {
        "",
        "[]",
        "{\"issuer\":\"https://idp.example/realms/a\"}",
        "{\"jwks_uri\":\"https://k.example/c\"}",
        "{\"issuer\":7,\"jwks_uri\":\"https://k.example/c\"}",
        "{\"issuer\":\"https://idp.example/realms/a\",\"jwks_uri\":3}",
        // duplicate members are refused by the strict parser
        "{\"issuer\":\"https://idp.example/realms/a\","
        "\"jwks_uri\":\"https://k.example/c\","
        "\"jwks_uri\":\"https://evil.example/c\"}",
    };
    for (const char *body : bodies) {
        EXPECT_FALSE(parseDiscovery(body, kIssuer).ok()) << body;
    }
}

TEST(Discovery, JwksUriMustBeHttpsForAnHttpsIssuer)
{
    const char *uris[] = {
        "http://k.example/c",       // downgrade
        "file:///etc/passwd",
        "/relative/certs",
        "https://",
        "https:///path",
        "https://k.example/a b",
        "https://k.example/a\\r\\nX: y",
    };
    for (const char *uri : uris) {
        std::string body = R"({"issuer":"https://idp.example/realms/a",)"
                           R"("jwks_uri":")" + std::string(uri) + "\"}";
        EXPECT_FALSE(parseDiscovery(body, kIssuer).ok()) << uri;
    }
}

TEST(Discovery, HttpIssuerMayUseHttp)
{
    Discovery d = parseDiscovery(
        R"({"issuer":"http://127.0.0.1:8080","jwks_uri":"http://127.0.0.1:8080/jwks"})",
        "http://127.0.0.1:8080");
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_EQ(d.jwksUri, "http://127.0.0.1:8080/jwks");
}

TEST(FetchableUrl, Limits)
{
    EXPECT_TRUE(isFetchableUrl("https://a", false));
    EXPECT_FALSE(isFetchableUrl("http://a", false));
    EXPECT_TRUE(isFetchableUrl("HTTP://a/b?c=d", true));
    EXPECT_FALSE(isFetchableUrl("ftp://a", true));
    EXPECT_FALSE(isFetchableUrl(std::string("https://a/\x7f"), true));
    EXPECT_FALSE(isFetchableUrl("https://a/" + std::string(3000, 'x'), true));
}

constexpr std::int64_t kNow = 1700000000;

FetchTimes freshKeys()
{
    FetchTimes t;
    t.fetched = kNow - 10;
    t.attempted = kNow - 10;
    return t;
}

TEST(DecideFetch, NoKeysFetchesAtOnce)
{
    EXPECT_EQ(decideFetch({}, KeyNeed::Missing, {}, kNow),
              FetchDecision::Start);
}

TEST(DecideFetch, OneFetchAtATimeOthersWaitOrProceed)
{
    FetchTimes t = freshKeys();
    t.fetchingSince = kNow - 2;
    t.attempted = kNow - 2;
    EXPECT_EQ(decideFetch(t, KeyNeed::Missing, {}, kNow), FetchDecision::Wait);
    EXPECT_EQ(decideFetch(t, KeyNeed::UnknownKid, {}, kNow),
              FetchDecision::Wait);
    EXPECT_EQ(decideFetch(t, KeyNeed::None, {}, kNow), FetchDecision::Proceed);
}

TEST(DecideFetch, AnAbandonedFetchIsTakenOver)
{
    FetchTimes t;
    t.fetchingSince = kNow - kFetchAbandonedSeconds;
    t.attempted = t.fetchingSince;
    EXPECT_EQ(decideFetch(t, KeyNeed::Missing, {}, kNow),
              FetchDecision::Start);
}

TEST(DecideFetch, FailingColdFetchesRetryOncePerSecond)
{
    FetchTimes t;
    t.attempted = kNow;
    t.lastFailed = true;
    EXPECT_EQ(decideFetch(t, KeyNeed::Missing, {}, kNow),
              FetchDecision::Proceed);
    EXPECT_EQ(decideFetch(t, KeyNeed::Missing, {}, kNow + kColdRetrySeconds),
              FetchDecision::Start);
}

TEST(DecideFetch, UnknownKidIsRateLimited)
{
    FetchTiming timing;
    timing.refetchSeconds = 30;
    FetchTimes t = freshKeys();
    EXPECT_EQ(decideFetch(t, KeyNeed::UnknownKid, timing, kNow),
              FetchDecision::Proceed);
    t.attempted = kNow - 30;
    EXPECT_EQ(decideFetch(t, KeyNeed::UnknownKid, timing, kNow),
              FetchDecision::Start);
}

TEST(DecideFetch, FreshKeysAreUsed)
{
    EXPECT_EQ(decideFetch(freshKeys(), KeyNeed::None, {}, kNow),
              FetchDecision::Proceed);
}

TEST(DecideFetch, StaleKeysAreRefreshed)
{
    FetchTiming timing;
    timing.cacheSeconds = 10;
    EXPECT_EQ(decideFetch(freshKeys(), KeyNeed::None, timing, kNow),
              FetchDecision::Start);
    timing.cacheSeconds = 11;
    EXPECT_EQ(decideFetch(freshKeys(), KeyNeed::None, timing, kNow),
              FetchDecision::Proceed);
}

TEST(DecideFetch, MaxAgeOverridesTheConfiguredTime)
{
    FetchTiming timing;
    timing.cacheSeconds = 3600;
    FetchTimes t = freshKeys();
    t.maxAge = 5;
    EXPECT_TRUE(keysAreStale(t, timing, kNow));
    t.maxAge = 100;
    EXPECT_FALSE(keysAreStale(t, timing, kNow));
    t.maxAge = 0;  // no-store: still at least a second
    EXPECT_FALSE(keysAreStale(t, timing, t.fetched));
    EXPECT_TRUE(keysAreStale(t, timing, t.fetched + 1));
}

TEST(DecideFetch, AfterAFailureStaleKeysStayInUseUntilTheRefetchTime)
{
    FetchTiming timing;
    timing.cacheSeconds = 5;
    timing.refetchSeconds = 30;
    FetchTimes t = freshKeys();   // fetched 10 s ago: stale
    t.attempted = kNow - 3;
    t.lastFailed = true;
    EXPECT_EQ(decideFetch(t, KeyNeed::None, timing, kNow),
              FetchDecision::Proceed);
    EXPECT_EQ(decideFetch(t, KeyNeed::UnknownKid, timing, kNow),
              FetchDecision::Proceed);
    EXPECT_EQ(decideFetch(t, KeyNeed::None, timing, kNow + 27),
              FetchDecision::Start);
}

TEST(DecideFetch, NeverFetchedKeysAreNotStale)
{
    EXPECT_FALSE(keysAreStale({}, {}, kNow));
}

}  // namespace
}  // namespace authjwt
