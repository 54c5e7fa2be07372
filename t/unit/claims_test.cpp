// The registered time claims (RFC 7519 4.1.4 "exp", 4.1.5 "nbf", 4.1.6
// "iat"), with time passed in.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

constexpr std::int64_t kT = 1600000000;       // 2020-09-13
constexpr std::int64_t kYear2100 = 4102444800;  // 2100-01-01

Status check(const std::string &payload, std::int64_t now,
             TimeRules rules = {})
{
    Json doc = Json::parse(payload);
    EXPECT_TRUE(doc) << payload;
    if (!doc) {
        return Status::InternalError;
    }
    return checkTimeClaims(doc.get(), now, rules);
}

std::string expAt(std::int64_t t)
{
    return R"({"exp":)" + std::to_string(t) + "}";
}

std::string nbfAt(std::int64_t t, std::int64_t expTime)
{
    return R"({"nbf":)" + std::to_string(t) + R"(,"exp":)"
           + std::to_string(expTime) + "}";
}

TimeRules leeway(std::int64_t seconds, bool requireExp = true)
{
    TimeRules rules;
    rules.leewaySeconds = seconds;
    rules.requireExp = requireExp;
    return rules;
}

TimeRules optionalExp()
{
    return leeway(0, false);
}

// ---------------------------------------------------------------------
// exp present or not

TEST(Claims, DefaultsRequireExpWithoutLeeway)
{
    TimeRules rules;
    EXPECT_TRUE(rules.requireExp);
    EXPECT_EQ(rules.leewaySeconds, 0);
}

TEST(Claims, MissingExpWhenRequired)
{
    EXPECT_EQ(check("{}", kT), Status::MissingExp);
    EXPECT_EQ(check(R"({"sub":"alice","nbf":1})", kT), Status::MissingExp);
    // Only the exact, case-sensitive name counts.
    EXPECT_EQ(check(R"({"EXP":9999999999})", kT), Status::MissingExp);
    EXPECT_EQ(check(R"({"ext":{"exp":9999999999}})", kT), Status::MissingExp);
}

TEST(Claims, MissingExpIsFineWhenNotRequired)
{
    EXPECT_EQ(check("{}", kT, optionalExp()), Status::Ok);
    EXPECT_EQ(check(R"({"sub":"alice"})", kT, optionalExp()), Status::Ok);
    // The other claims still count.
    EXPECT_EQ(check(R"({"nbf":1700000000})", kT, optionalExp()),
              Status::NotYetValid);
    EXPECT_EQ(check(R"({"exp":1})", kT, optionalExp()), Status::Expired);
}

// ---------------------------------------------------------------------
// Types

TEST(Claims, ExpThatIsNotANumberIsBadTimeClaim)
{
    for (const char *payload :
         {R"({"exp":"2000000000"})", R"({"exp":null})", R"({"exp":true})",
          R"({"exp":false})", R"({"exp":[2000000000]})",
          R"({"exp":{"t":2000000000}})", R"({"exp":""})"})
    {
        EXPECT_EQ(check(payload, kT), Status::BadTimeClaim) << payload;
        EXPECT_EQ(check(payload, kT, optionalExp()), Status::BadTimeClaim)
            << payload;
    }
}

TEST(Claims, NbfOrIatThatIsNotANumberIsBadTimeClaim)
{
    for (const char *name : {"nbf", "iat"}) {
        for (const char *value : {R"("1")", "null", "true", "[1]", "{}"}) {
            std::string payload = R"({"exp":2000000000,")" + std::string(name)
                                  + "\":" + value + "}";
            EXPECT_EQ(check(payload, kT), Status::BadTimeClaim) << payload;
        }
    }
}

TEST(Claims, BadTypeWinsOverOtherVerdicts)
{
    // A malformed claim is reported as such, whatever the others say.
    EXPECT_EQ(check(R"({"nbf":"soon"})", kT), Status::BadTimeClaim);
    EXPECT_EQ(check(R"({"exp":1,"iat":"x"})", kT), Status::BadTimeClaim);
    EXPECT_EQ(check(R"({"exp":1,"nbf":null})", kT), Status::BadTimeClaim);
}

TEST(Claims, IatInThePastIsAcceptedInTheFutureIsNot)
{
    // "iat" is not a validity bound, but a token issued in the future
    // (beyond the leeway) comes from a wrong clock or a forger.
    EXPECT_EQ(check(R"({"exp":2000000000,"iat":-5})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":2000000000,"iat":1900000000})", kT),
              Status::IssuedInFuture);
    EXPECT_EQ(check(R"({"exp":2000000000,"iat":1.5e300})", kT),
              Status::IssuedInFuture);
}

// ---------------------------------------------------------------------
// exp

TEST(Claims, ExpInTheFutureIsOk)
{
    EXPECT_EQ(check(expAt(kT + 1), kT), Status::Ok);
    EXPECT_EQ(check(expAt(kT + 86400), kT), Status::Ok);
}

TEST(Claims, ExpEqualToNowIsExpired)
{
    // RFC 7519 4.1.4: not accepted "on or after" the expiration time.
    EXPECT_EQ(check(expAt(kT), kT), Status::Expired);
    EXPECT_EQ(check(expAt(kT - 1), kT), Status::Expired);
    EXPECT_EQ(check(expAt(0), kT), Status::Expired);
    EXPECT_EQ(check(expAt(-1), kT), Status::Expired);
}

TEST(Claims, ExpInThePastWithinLeewayIsOk)
{
    EXPECT_EQ(check(expAt(kT - 5), kT, leeway(10)), Status::Ok);
    EXPECT_EQ(check(expAt(kT - 9), kT, leeway(10)), Status::Ok);
    // The leeway moves the boundary, which stays exclusive.
    EXPECT_EQ(check(expAt(kT - 10), kT, leeway(10)), Status::Expired);
    EXPECT_EQ(check(expAt(kT - 11), kT, leeway(10)), Status::Expired);
    EXPECT_EQ(check(expAt(kT), kT, leeway(1)), Status::Ok);
}

TEST(Claims, FractionalExp)
{
    // RFC 7519 2: a NumericDate may be non-integer.
    EXPECT_EQ(check(R"({"exp":1600000000.5})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":1599999999.5})", kT), Status::Expired);
    EXPECT_EQ(check(R"({"exp":1600000000.0})", kT), Status::Expired);
    EXPECT_EQ(check(R"({"exp":1.6000000005e9})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":16000000005e-1})", kT), Status::Ok);
}

TEST(Claims, AbsurdExpValuesCompareCorrectly)
{
    EXPECT_EQ(check(R"({"exp":1e308})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":-1e308})", kT), Status::Expired);
    EXPECT_EQ(check(R"({"exp":1.7976931348623157e308})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":4.9e-324})", kT), Status::Expired);
    EXPECT_EQ(check(R"({"exp":9223372036854775807})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":-9223372036854775808})", kT), Status::Expired);
    // Even at the very end of time.
    EXPECT_EQ(check(R"({"exp":1e308})",
                    std::numeric_limits<std::int64_t>::max()),
              Status::Ok);
    EXPECT_EQ(check(R"({"exp":-1e308})",
                    std::numeric_limits<std::int64_t>::min()),
              Status::Expired);
}

TEST(Claims, TimesBeyond2038Work)
{
    // 2^31 seconds ends in January 2038; 2100 is well past it.
    EXPECT_EQ(check(expAt(kYear2100 + 1), kYear2100), Status::Ok);
    EXPECT_EQ(check(expAt(kYear2100), kYear2100), Status::Expired);
    EXPECT_EQ(check(expAt(2147483648), 2147483647), Status::Ok);
    EXPECT_EQ(check(expAt(2147483647), 2147483648), Status::Expired);
    EXPECT_EQ(check(nbfAt(kYear2100 + 1, kYear2100 + 100), kYear2100),
              Status::NotYetValid);
    EXPECT_EQ(check(nbfAt(kYear2100, kYear2100 + 100), kYear2100), Status::Ok);
    // A token minted before 2038 and checked after.
    EXPECT_EQ(check(nbfAt(2000000000, kYear2100), kYear2100 - 1), Status::Ok);
}

TEST(Claims, HugeLeewayDoesNotOverflow)
{
    std::int64_t huge = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(check(expAt(1), kT, leeway(huge)), Status::Ok);
    EXPECT_EQ(check(nbfAt(kYear2100, kYear2100 + 1), kT, leeway(huge)),
              Status::Ok);
    EXPECT_EQ(check(expAt(std::numeric_limits<std::int64_t>::max()),
                    std::numeric_limits<std::int64_t>::max(), leeway(huge)),
              Status::Ok);
}

// ---------------------------------------------------------------------
// nbf

TEST(Claims, NbfInTheFutureIsNotYetValid)
{
    EXPECT_EQ(check(nbfAt(kT + 1, kT + 100), kT), Status::NotYetValid);
    EXPECT_EQ(check(nbfAt(kT + 3600, kT + 7200), kT), Status::NotYetValid);
}

TEST(Claims, NbfAtOrBeforeNowIsOk)
{
    // RFC 7519 4.1.5: accepted "on or after" the not-before time.
    EXPECT_EQ(check(nbfAt(kT, kT + 100), kT), Status::Ok);
    EXPECT_EQ(check(nbfAt(kT - 1, kT + 100), kT), Status::Ok);
    EXPECT_EQ(check(nbfAt(0, kT + 100), kT), Status::Ok);
}

TEST(Claims, NbfInTheFutureWithinLeewayIsOk)
{
    EXPECT_EQ(check(nbfAt(kT + 5, kT + 100), kT, leeway(10)), Status::Ok);
    EXPECT_EQ(check(nbfAt(kT + 10, kT + 100), kT, leeway(10)), Status::Ok);
    EXPECT_EQ(check(nbfAt(kT + 11, kT + 100), kT, leeway(10)),
              Status::NotYetValid);
}

TEST(Claims, FractionalAndAbsurdNbf)
{
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":1600000000.5})", kT),
              Status::NotYetValid);
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":1599999999.5})", kT), Status::Ok);
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":1e308})", kT), Status::NotYetValid);
    EXPECT_EQ(check(R"({"exp":1e308,"nbf":-1e308})", kT), Status::Ok);
}

TEST(Claims, ExpiredIsReportedBeforeNotYetValid)
{
    // A window entirely in the past, or an inverted one.
    EXPECT_EQ(check(nbfAt(kT + 100, kT - 100), kT), Status::Expired);
}

TEST(Claims, NbfWithoutExp)
{
    EXPECT_EQ(check(R"({"nbf":1})", kT, optionalExp()), Status::Ok);
    EXPECT_EQ(check(R"({"nbf":1})", kT), Status::MissingExp);
}

// ---------------------------------------------------------------------
// The same claims through verifyCompact

class ClaimsThroughVerify : public ::testing::Test {
protected:
    KeySet keys = keySetOf(secretKey(kSecret32));

    std::string jwt(const std::string &payload)
    {
        return mint(headerFor(Alg::HS256), payload,
                    hmacSigner(Alg::HS256, kSecret32));
    }

    Status verify(const std::string &payload, std::int64_t now,
                  TimeRules rules = {})
    {
        VerifyOptions options;
        options.time = rules;
        return verifyStatus(jwt(payload), keys, options, now);
    }
};

TEST_F(ClaimsThroughVerify, TimeClaimsAreCheckedAfterTheSignature)
{
    EXPECT_EQ(verify(expAt(kT + 1), kT), Status::Ok);
    EXPECT_EQ(verify(expAt(kT), kT), Status::Expired);
    EXPECT_EQ(verify("{}", kT), Status::MissingExp);
    EXPECT_EQ(verify("{}", kT, optionalExp()), Status::Ok);
    EXPECT_EQ(verify(R"({"exp":"x"})", kT), Status::BadTimeClaim);
    EXPECT_EQ(verify(nbfAt(kT + 1, kT + 2), kT), Status::NotYetValid);
    EXPECT_EQ(verify(expAt(kT - 5), kT, leeway(10)), Status::Ok);
}

TEST_F(ClaimsThroughVerify, ExpBeyondInt64IsRefused)
{
    // Jansson refuses an integer literal it cannot hold, so the payload
    // does not parse: BadPayload, never Ok.
    Status s = verify(R"({"exp":9223372036854775808})", kT);
    EXPECT_NE(s, Status::Ok);
    EXPECT_EQ(s, Status::BadPayload);
    s = verify(R"({"exp":99999999999999999999999})", kT);
    EXPECT_NE(s, Status::Ok);
    EXPECT_EQ(s, Status::BadPayload);
    s = verify(R"({"exp":-9223372036854775809})", kT);
    EXPECT_EQ(s, Status::BadPayload);
    // Reals that overflow a double are refused the same way.
    EXPECT_EQ(verify(R"({"exp":1e400})", kT), Status::BadPayload);
    EXPECT_EQ(verify(R"({"exp":-1e400})", kT), Status::BadPayload);
    // The largest representable values are fine.
    EXPECT_EQ(verify(R"({"exp":9223372036854775807})", kT), Status::Ok);
    EXPECT_EQ(verify(R"({"exp":1e308})", kT), Status::Ok);
}

TEST_F(ClaimsThroughVerify, AForgedTokenIsNeverReportedAsExpired)
{
    // The signature is checked before the claims.
    std::string forged = mint(headerFor(Alg::HS256), expAt(kT - 100),
                              hmacSigner(Alg::HS256, kSecret32 + "x"));
    EXPECT_EQ(verifyStatus(forged, keys, {}, kT), Status::BadSignature);
    std::string noExp = mint(headerFor(Alg::HS256), "{}",
                             hmacSigner(Alg::HS256, kSecret32 + "x"));
    EXPECT_EQ(verifyStatus(noExp, keys, {}, kT), Status::BadSignature);
}

}  // namespace
}  // namespace authjwt
