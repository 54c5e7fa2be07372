// The policy half of the registered claims: "iat" in the future, the
// maximum lifetime (exp - iat), the accepted issuers (RFC 7519 4.1.1) and
// audiences (RFC 7519 4.1.3), alone and through verifyCompact.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

constexpr std::int64_t kT = 1600000000;  // 2020-09-13
constexpr std::int64_t kHour = 3600;

Json parsed(const std::string &payload)
{
    Json doc = Json::parse(payload);
    EXPECT_TRUE(doc) << payload;
    return doc;
}

Status check(const std::string &payload, std::int64_t now, TimeRules rules)
{
    Json doc = parsed(payload);
    return doc ? checkTimeClaims(doc.get(), now, rules)
               : Status::InternalError;
}

TimeRules maxLifetime(std::int64_t seconds, std::int64_t leeway = 0,
                      bool requireExp = true)
{
    TimeRules rules;
    rules.maxLifetimeSeconds = seconds;
    rules.leewaySeconds = leeway;
    rules.requireExp = requireExp;
    return rules;
}

TimeRules leeway(std::int64_t seconds)
{
    return maxLifetime(0, seconds);
}

// {"iat":iat,"exp":exp}
std::string window(std::int64_t iat, std::int64_t exp)
{
    return R"({"iat":)" + std::to_string(iat) + R"(,"exp":)"
           + std::to_string(exp) + "}";
}

std::string iatOnly(std::int64_t iat)
{
    return R"({"iat":)" + std::to_string(iat) + "}";
}

Status issuer(const std::string &payload,
              const std::vector<std::string> &issuers)
{
    Json doc = parsed(payload);
    return doc ? checkIssuer(doc.get(), issuers) : Status::InternalError;
}

Status audience(const std::string &payload,
                const std::vector<std::string> &audiences)
{
    Json doc = parsed(payload);
    return doc ? checkAudience(doc.get(), audiences) : Status::InternalError;
}

// {name: string} with the string given as raw bytes, which may hold NUL
// (Json::parse refuses NUL in strings, so this is built directly).
Json withRawString(const char *name, std::string_view bytes)
{
    Json doc(json_object());
    EXPECT_TRUE(doc);
    if (doc) {
        json_object_set_new(doc.get(), name,
                            json_stringn(bytes.data(), bytes.size()));
    }
    return doc;
}

// ---------------------------------------------------------------------
// iat in the future

TEST(PolicyClaims, DefaultsHaveNoLifetimeLimit)
{
    TimeRules rules;
    EXPECT_EQ(rules.maxLifetimeSeconds, 0);
    // Without a limit, neither iat nor a bound on exp - iat is required.
    EXPECT_EQ(check(R"({"exp":1700000000})", kT, rules), Status::Ok);
    EXPECT_EQ(check(window(kT - 100, 4102444800), kT, rules), Status::Ok);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":-1e308})", kT, rules), Status::Ok);
}

TEST(PolicyClaims, IatInTheFutureIsIssuedInFuture)
{
    EXPECT_EQ(check(window(kT + 1, kT + 100), kT, {}), Status::IssuedInFuture);
    EXPECT_EQ(check(window(kT + 3600, kT + 7200), kT, {}),
              Status::IssuedInFuture);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1600000000.5})", kT, {}),
              Status::IssuedInFuture);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1e308})", kT, {}),
              Status::IssuedInFuture);
    // Without exp too.
    EXPECT_EQ(check(iatOnly(kT + 1), kT, maxLifetime(0, 0, false)),
              Status::IssuedInFuture);
}

TEST(PolicyClaims, IatNowOrInThePastIsOk)
{
    EXPECT_EQ(check(window(kT, kT + 100), kT, {}), Status::Ok);
    EXPECT_EQ(check(window(kT - 1, kT + 100), kT, {}), Status::Ok);
    EXPECT_EQ(check(window(0, kT + 100), kT, {}), Status::Ok);
    EXPECT_EQ(check(window(-5, kT + 100), kT, {}), Status::Ok);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1599999999.5})", kT, {}),
              Status::Ok);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":-1e308})", kT, {}), Status::Ok);
}

TEST(PolicyClaims, IatInTheFutureWithinLeewayIsOk)
{
    EXPECT_EQ(check(window(kT + 5, kT + 100), kT, leeway(10)), Status::Ok);
    EXPECT_EQ(check(window(kT + 10, kT + 100), kT, leeway(10)), Status::Ok);
    EXPECT_EQ(check(window(kT + 11, kT + 100), kT, leeway(10)),
              Status::IssuedInFuture);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1600000010.5})", kT, leeway(10)),
              Status::IssuedInFuture);
}

TEST(PolicyClaims, HugeLeewayAndTimesDoNotOverflow)
{
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(check(window(kT + 1000000, kT + 2000000), kT, leeway(kMax)),
              Status::Ok);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1e308})", kT, leeway(kMax)),
              Status::IssuedInFuture);
    EXPECT_EQ(check(R"({"exp":1e308,"iat":9223372036854775807})", kMax, {}),
              Status::Ok);
    EXPECT_EQ(check(window(kT, kT + 10), kT, maxLifetime(kMax)), Status::Ok);
}

// ---------------------------------------------------------------------
// Maximum lifetime

TEST(PolicyClaims, LifetimeUpToTheMaximumIsOk)
{
    EXPECT_EQ(check(window(kT, kT + kHour), kT, maxLifetime(kHour)),
              Status::Ok);
    EXPECT_EQ(check(window(kT - 10, kT - 10 + kHour), kT, maxLifetime(kHour)),
              Status::Ok);
    EXPECT_EQ(check(window(kT, kT + 1), kT, maxLifetime(kHour)), Status::Ok);
    EXPECT_EQ(check(window(kT, kT + 1), kT, maxLifetime(1)), Status::Ok);
}

TEST(PolicyClaims, LifetimeBeyondTheMaximumIsTooLong)
{
    // Exactly the maximum is fine; one second more is not.
    EXPECT_EQ(check(window(kT, kT + kHour), kT, maxLifetime(kHour)),
              Status::Ok);
    EXPECT_EQ(check(window(kT, kT + kHour + 1), kT, maxLifetime(kHour)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(window(kT - 10, kT - 9 + kHour), kT, maxLifetime(kHour)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(window(kT, kT + 2), kT, maxLifetime(1)),
              Status::LifetimeTooLong);
    // Fractional NumericDates (RFC 7519 2).
    EXPECT_EQ(check(R"({"iat":1600000000,"exp":1600003600.5})", kT,
                    maxLifetime(kHour)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(R"({"iat":1599999999.5,"exp":1600003599.5})", kT,
                    maxLifetime(kHour)),
              Status::Ok);
    // Absurd values stay ordered.
    EXPECT_EQ(check(R"({"iat":-1e308,"exp":1e308})", kT, maxLifetime(kHour)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(R"({"iat":0,"exp":9223372036854775807})", kT,
                    maxLifetime(kHour)),
              Status::LifetimeTooLong);
}

TEST(PolicyClaims, LeewayDoesNotStretchTheLifetime)
{
    EXPECT_EQ(check(window(kT, kT + kHour + 1), kT, maxLifetime(kHour, 60)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(window(kT, kT + kHour), kT, maxLifetime(kHour, 60)),
              Status::Ok);
}

TEST(PolicyClaims, MaximumLifetimeRequiresIat)
{
    EXPECT_EQ(check(R"({"exp":1600000100})", kT, maxLifetime(kHour)),
              Status::MissingIat);
    EXPECT_EQ(check(R"({"exp":1600000100,"IAT":1600000000})", kT,
                    maxLifetime(kHour)),
              Status::MissingIat);
    EXPECT_EQ(check(R"({"exp":1600000100,"nbf":1600000000})", kT,
                    maxLifetime(kHour)),
              Status::MissingIat);
    // Neither exp nor iat, exp optional: iat is what is missing.
    EXPECT_EQ(check("{}", kT, maxLifetime(kHour, 0, false)),
              Status::MissingIat);
}

TEST(PolicyClaims, MaximumLifetimeWithoutExpIsTooLong)
{
    // A token without exp lives forever.
    EXPECT_EQ(check(iatOnly(kT), kT, maxLifetime(kHour, 0, false)),
              Status::LifetimeTooLong);
    EXPECT_EQ(check(iatOnly(kT - 1), kT, maxLifetime(1, 0, false)),
              Status::LifetimeTooLong);
    // With exp required, that is MissingExp first.
    EXPECT_EQ(check(iatOnly(kT), kT, maxLifetime(kHour)), Status::MissingExp);
}

// ---------------------------------------------------------------------
// Order: BadTimeClaim, MissingExp, Expired, NotYetValid, IssuedInFuture,
// MissingIat, LifetimeTooLong

TEST(PolicyClaims, OrderOfChecks)
{
    TimeRules max = maxLifetime(kHour);

    // BadTimeClaim before everything.
    EXPECT_EQ(check(R"({"iat":"x"})", kT, max), Status::BadTimeClaim);
    EXPECT_EQ(check(R"({"exp":1600000100,"iat":null})", kT, max),
              Status::BadTimeClaim);
    EXPECT_EQ(check(R"({"exp":1,"iat":1e308,"nbf":"x"})", kT, max),
              Status::BadTimeClaim);

    // MissingExp before the others.
    EXPECT_EQ(check(iatOnly(kT + 100), kT, max), Status::MissingExp);
    EXPECT_EQ(check("{}", kT, max), Status::MissingExp);

    // Expired before NotYetValid, IssuedInFuture, MissingIat and
    // LifetimeTooLong.
    EXPECT_EQ(check(window(kT - 2 * kHour, kT - 1), kT, maxLifetime(1)),
              Status::Expired);
    EXPECT_EQ(check(R"({"exp":1599999999})", kT, max), Status::Expired);
    EXPECT_EQ(check(window(kT + 100, kT - 1), kT, max), Status::Expired);
    EXPECT_EQ(check(R"({"exp":1599999999,"nbf":1700000000})", kT, max),
              Status::Expired);

    // NotYetValid before IssuedInFuture, MissingIat and LifetimeTooLong.
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":1600000001,"iat":1600000001})", kT,
                    max),
              Status::NotYetValid);
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":1600000001})", kT, max),
              Status::NotYetValid);

    // IssuedInFuture before LifetimeTooLong.
    EXPECT_EQ(check(R"({"exp":1e308,"iat":1600000001})", kT, max),
              Status::IssuedInFuture);

    // MissingIat before LifetimeTooLong (with exp optional and absent).
    EXPECT_EQ(check(R"({"nbf":1})", kT, maxLifetime(kHour, 0, false)),
              Status::MissingIat);
}

// ---------------------------------------------------------------------
// Issuer

TEST(PolicyClaims, EmptyIssuerListAcceptsAnything)
{
    for (const char *payload : {"{}", R"({"iss":"anyone"})", R"({"iss":1})",
                                R"({"iss":null})", R"({"iss":["a"]})"})
    {
        EXPECT_EQ(issuer(payload, {}), Status::Ok) << payload;
    }
}

TEST(PolicyClaims, IssuerMustMatchOneExactly)
{
    const std::vector<std::string> issuers = {"https://idp.example.com/",
                                              "https://other.example/"};
    EXPECT_EQ(issuer(R"({"iss":"https://idp.example.com/"})", issuers),
              Status::Ok);
    EXPECT_EQ(issuer(R"({"iss":"https://other.example/"})", issuers),
              Status::Ok);
    for (const char *iss :
         {"https://idp.example.com", "https://IDP.example.com/",
          "HTTPS://idp.example.com/", "https://idp.example.com//",
          " https://idp.example.com/", "https://idp.example.com/ ",
          "idp.example.com", "", "https://evil.example/"})
    {
        std::string payload = R"({"iss":")" + std::string(iss) + "\"}";
        EXPECT_EQ(issuer(payload, issuers), Status::IssuerMismatch) << iss;
    }
    // A single-entry list.
    EXPECT_EQ(issuer(R"({"iss":"joe"})", {"joe"}), Status::Ok);
    EXPECT_EQ(issuer(R"({"iss":"Joe"})", {"joe"}), Status::IssuerMismatch);
    // An empty issuer accepted on purpose matches only the empty string.
    EXPECT_EQ(issuer(R"({"iss":""})", {""}), Status::Ok);
    EXPECT_EQ(issuer("{}", {""}), Status::IssuerMismatch);
}

TEST(PolicyClaims, IssuerMissingOrNotAStringIsAMismatch)
{
    const std::vector<std::string> issuers = {"joe", "1", "null", "true"};
    for (const char *payload :
         {"{}", R"({"iss":null})", R"({"iss":1})", R"({"iss":true})",
          R"({"iss":["joe"]})", R"({"iss":{"joe":1}})", R"({"ISS":"joe"})",
          R"({"sub":"joe"})"})
    {
        EXPECT_EQ(issuer(payload, issuers), Status::IssuerMismatch)
            << payload;
    }
    // A payload that is not an object has no issuer.
    EXPECT_EQ(issuer(R"(["joe"])", issuers), Status::IssuerMismatch);
}

TEST(PolicyClaims, IssuerComparesEveryByte)
{
    // The whole string, length included: "joe\0x" is not "joe".
    Json doc = withRawString("iss", std::string_view("joe\0x", 5));
    ASSERT_TRUE(doc);
    EXPECT_EQ(checkIssuer(doc.get(), {"joe"}), Status::IssuerMismatch);
    EXPECT_EQ(checkIssuer(doc.get(), {std::string("joe\0x", 5)}), Status::Ok);
}

// ---------------------------------------------------------------------
// Audience

TEST(PolicyClaims, EmptyAudienceListAcceptsAnything)
{
    for (const char *payload : {"{}", R"({"aud":"api"})", R"({"aud":[]})",
                                R"({"aud":1})", R"({"aud":null})"})
    {
        EXPECT_EQ(audience(payload, {}), Status::Ok) << payload;
    }
}

TEST(PolicyClaims, StringAudience)
{
    const std::vector<std::string> audiences = {"api", "https://api.example/"};
    EXPECT_EQ(audience(R"({"aud":"api"})", audiences), Status::Ok);
    EXPECT_EQ(audience(R"({"aud":"https://api.example/"})", audiences),
              Status::Ok);
    for (const char *aud : {"API", "ap", "apis", " api", "api ", "", "web",
                            "api https://api.example/"})
    {
        std::string payload = R"({"aud":")" + std::string(aud) + "\"}";
        EXPECT_EQ(audience(payload, audiences), Status::AudienceMismatch)
            << aud;
    }
}

TEST(PolicyClaims, ArrayAudience)
{
    // RFC 7519 4.1.3: an array of case-sensitive strings, one of which
    // must name us.
    const std::vector<std::string> audiences = {"api"};
    EXPECT_EQ(audience(R"({"aud":["api"]})", audiences), Status::Ok);
    EXPECT_EQ(audience(R"({"aud":["web","api"]})", audiences), Status::Ok);
    EXPECT_EQ(audience(R"({"aud":["api","web"]})", audiences), Status::Ok);
    EXPECT_EQ(audience(R"({"aud":["web","mobile"]})", audiences),
              Status::AudienceMismatch);
    EXPECT_EQ(audience(R"({"aud":["API"]})", audiences),
              Status::AudienceMismatch);
    EXPECT_EQ(audience(R"({"aud":[]})", audiences), Status::AudienceMismatch);
    EXPECT_EQ(audience(R"({"aud":[""]})", audiences),
              Status::AudienceMismatch);
    // Several accepted audiences, any one will do.
    EXPECT_EQ(audience(R"({"aud":["x","web"]})", {"api", "web"}), Status::Ok);
}

TEST(PolicyClaims, NonStringAudienceElementsAreSkipped)
{
    const std::vector<std::string> audiences = {"api", "1", "null", "true"};
    EXPECT_EQ(audience(R"({"aud":[1,null,true,{"api":1},["api"]]})",
                       audiences),
              Status::AudienceMismatch);
    // A string among them still counts.
    EXPECT_EQ(audience(R"({"aud":[1,null,{"a":1},["x"],"api"]})", audiences),
              Status::Ok);
}

TEST(PolicyClaims, AudienceMissingOrNotAStringIsAMismatch)
{
    const std::vector<std::string> audiences = {"api", "1", "null", "true"};
    for (const char *payload :
         {"{}", R"({"aud":null})", R"({"aud":1})", R"({"aud":true})",
          R"({"aud":{"api":true}})", R"({"AUD":"api"})", R"({"azp":"api"})"})
    {
        EXPECT_EQ(audience(payload, audiences), Status::AudienceMismatch)
            << payload;
    }
    EXPECT_EQ(audience(R"(["api"])", audiences), Status::AudienceMismatch);
}

TEST(PolicyClaims, AudienceComparesEveryByte)
{
    Json doc = withRawString("aud", std::string_view("api\0x", 5));
    ASSERT_TRUE(doc);
    EXPECT_EQ(checkAudience(doc.get(), {"api"}), Status::AudienceMismatch);
    EXPECT_EQ(checkAudience(doc.get(), {std::string("api\0x", 5)}),
              Status::Ok);
}

// ---------------------------------------------------------------------
// Through verifyCompact

class PolicyThroughVerify : public ::testing::Test {
protected:
    KeySet keys = keySetOf(secretKey(kSecret32));
    std::vector<std::string> issuers = {"https://idp.example.com/"};
    std::vector<std::string> audiences = {"api", "web"};

    std::string jwt(const std::string &payload) const
    {
        return mint(headerFor(Alg::HS256), payload,
                    hmacSigner(Alg::HS256, kSecret32));
    }

    // Valid at kNow, with the given extra members ("\"iss\":\"x\",").
    std::string claims(const std::string &members) const
    {
        return "{" + members + R"("sub":"alice","exp":2000000000})";
    }

    VerifyOptions options(bool withIssuers, bool withAudiences) const
    {
        VerifyOptions o;
        o.issuers = withIssuers ? &issuers : nullptr;
        o.audiences = withAudiences ? &audiences : nullptr;
        return o;
    }
};

TEST_F(PolicyThroughVerify, WrongIssuerIsRefusedWithoutAPayload)
{
    Verification v(jwt(claims(R"("iss":"https://evil.example/",)")), keys,
                   options(true, false));
    EXPECT_EQ(v.status, Status::IssuerMismatch);
    EXPECT_FALSE(v.out.payload);

    Verification none(jwt(claims("")), keys, options(true, false));
    EXPECT_EQ(none.status, Status::IssuerMismatch);
    EXPECT_FALSE(none.out.payload);
}

TEST_F(PolicyThroughVerify, RightIssuerIsOk)
{
    Verification v(jwt(claims(R"("iss":"https://idp.example.com/",)")), keys,
                   options(true, false));
    EXPECT_EQ(v.status, Status::Ok);
    ASSERT_TRUE(v.out.payload);
    std::string_view iss;
    ASSERT_TRUE(jsonStringMember(v.out.payload.get(), "iss", iss));
    EXPECT_EQ(iss, "https://idp.example.com/");
}

TEST_F(PolicyThroughVerify, AudienceIsChecked)
{
    Verification wrong(jwt(claims(R"("aud":["mobile"],)")), keys,
                       options(false, true));
    EXPECT_EQ(wrong.status, Status::AudienceMismatch);
    EXPECT_FALSE(wrong.out.payload);

    Verification missing(jwt(claims("")), keys, options(false, true));
    EXPECT_EQ(missing.status, Status::AudienceMismatch);
    EXPECT_FALSE(missing.out.payload);

    Verification right(jwt(claims(R"("aud":["mobile","web"],)")), keys,
                       options(false, true));
    EXPECT_EQ(right.status, Status::Ok);
    EXPECT_TRUE(right.out.payload);

    Verification single(jwt(claims(R"("aud":"api",)")), keys,
                        options(false, true));
    EXPECT_EQ(single.status, Status::Ok);
    EXPECT_TRUE(single.out.payload);
}

TEST_F(PolicyThroughVerify, BothChecked)
{
    const std::string good =
        R"("iss":"https://idp.example.com/","aud":"api",)";
    EXPECT_EQ(verifyStatus(jwt(claims(good)), keys, options(true, true)),
              Status::Ok);
    EXPECT_EQ(verifyStatus(jwt(claims(R"("iss":"x","aud":"api",)")), keys,
                           options(true, true)),
              Status::IssuerMismatch);
    EXPECT_EQ(verifyStatus(jwt(claims(
                               R"("iss":"https://idp.example.com/",)"
                               R"("aud":"x",)")),
                           keys, options(true, true)),
              Status::AudienceMismatch);
    // The issuer is reported first.
    EXPECT_EQ(verifyStatus(jwt(claims(R"("iss":"x","aud":"x",)")), keys,
                           options(true, true)),
              Status::IssuerMismatch);
}

TEST_F(PolicyThroughVerify, NullOrEmptyListsAcceptAny)
{
    const std::string token = jwt(claims(R"("iss":"x","aud":"y",)"));
    EXPECT_EQ(verifyStatus(token, keys, options(false, false)), Status::Ok);
    std::vector<std::string> empty;
    VerifyOptions o;
    o.issuers = &empty;
    o.audiences = &empty;
    EXPECT_EQ(verifyStatus(token, keys, o), Status::Ok);
    EXPECT_EQ(verifyStatus(jwt(claims("")), keys, o), Status::Ok);
}

TEST_F(PolicyThroughVerify, SignatureAndTimeComeFirst)
{
    VerifyOptions o = options(true, true);
    // A forged token is never reported as a policy mismatch.
    std::string forged = mint(headerFor(Alg::HS256),
                              claims(R"("iss":"x","aud":"x",)"),
                              hmacSigner(Alg::HS256, kSecret32 + "x"));
    EXPECT_EQ(verifyStatus(forged, keys, o), Status::BadSignature);
    // The time claims are checked before the issuer.
    EXPECT_EQ(verifyStatus(jwt(R"({"iss":"x","aud":"x","exp":1})"), keys, o),
              Status::Expired);
    EXPECT_EQ(verifyStatus(jwt(R"({"iss":"x","aud":"x"})"), keys, o),
              Status::MissingExp);
}

TEST_F(PolicyThroughVerify, MaxLifetimeAndIat)
{
    VerifyOptions o;
    o.time.maxLifetimeSeconds = kHour;
    auto at = [this](std::int64_t iat, std::int64_t exp) {
        return jwt(window(iat, exp));
    };
    EXPECT_EQ(verifyStatus(at(kNow - 10, kNow - 10 + kHour), keys, o, kNow),
              Status::Ok);
    EXPECT_EQ(verifyStatus(at(kNow - 10, kNow - 9 + kHour), keys, o, kNow),
              Status::LifetimeTooLong);
    EXPECT_EQ(verifyStatus(at(kNow + 1, kNow + 100), keys, o, kNow),
              Status::IssuedInFuture);
    EXPECT_EQ(verifyStatus(jwt(R"({"exp":2000000000})"), keys, o, kNow),
              Status::MissingIat);

    Verification v(at(kNow, kNow + 2 * kHour), keys, o, kNow);
    EXPECT_EQ(v.status, Status::LifetimeTooLong);
    EXPECT_FALSE(v.out.payload);
}

TEST_F(PolicyThroughVerify, AReusedResultLosesItsPayloadOnMismatch)
{
    VerifyOptions o = options(true, false);
    const std::string good =
        jwt(claims(R"("iss":"https://idp.example.com/",)"));
    const std::string bad = jwt(claims(R"("iss":"https://evil.example/",)"));
    std::vector<unsigned char> scratch1(tokenScratchSize(good.size()));
    std::vector<unsigned char> scratch2(tokenScratchSize(bad.size()));
    VerifiedToken out;
    ASSERT_EQ(verifyCompact(good, keys, o, kNow, scratch1.data(),
                            scratch1.size(), out),
              Status::Ok);
    ASSERT_TRUE(out.payload);
    EXPECT_EQ(verifyCompact(bad, keys, o, kNow, scratch2.data(),
                            scratch2.size(), out),
              Status::IssuerMismatch);
    EXPECT_FALSE(out.payload);
}

}  // namespace
}  // namespace authjwt
