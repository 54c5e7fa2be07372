// scanPayload: the request path's stand-in for Json::parse. The fuzz
// target fuzz/fuzz_payload.cpp compares the two on arbitrary input; these
// cases pin the edges by name.

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/payload_scan.hpp"
#include "core/verifier.hpp"
#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

Status scan(const std::string &text)
{
    TimeClaims times;
    return scanPayload(text, times);
}

// The scanner and Jansson agree on text.
void expectAgreement(const std::string &text)
{
    Json parsed = Json::parse(text);
    bool jansson = parsed && json_is_object(parsed.get());
    EXPECT_EQ(scan(text) == Status::Ok, jansson) << text;
}

TEST(PayloadScan, AcceptsWhatJanssonAccepts)
{
    for (const char *text : {
             R"({})",
             R"( {"a":1} )",
             R"({"a":[1,2.5,-0,1e-400,true,false,null,"x",{"b":{}}]})",
             R"({"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})",
             "{\"utf8\":\"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
             "{\"del\":\"\x7f\"}",
             R"({"":0})",
             R"({"n":9223372036854775807,"m":-9223372036854775808})",
         })
    {
        EXPECT_EQ(scan(text), Status::Ok) << text;
        expectAgreement(text);
    }
}

TEST(PayloadScan, RefusesWhatJanssonRefuses)
{
    const std::string refused[] = {
        "",
        "[]",
        R"("x")",
        R"({"a":1,})",
        R"({"a":01})",
        R"({"a":1.})",
        R"({"a":.5})",
        R"({"a":+1})",
        R"({"a":1e})",
        R"({"a":9223372036854775808})",
        R"({"a":1e400})",
        R"({"a":"\u0000"})",
        R"({"a":"\ud800"})",
        R"({"a":"\udc00"})",
        R"({"a":"\x"})",
        "{\"a\":\"\x01\"}",
        "{\"a\":\"\xc0\xaf\"}",          // overlong
        "{\"a\":\"\xed\xa0\x80\"}",      // encoded surrogate
        "{\"a\":\"\xf4\x90\x80\x80\"}",  // above U+10FFFF
        std::string("{\"a\":1}\0", 8),      // a NUL after the document
        std::string("{\"a\":1\0}", 8),   // Jansson alone would drop the NUL
        R"({"a":1,"a":2})",
        R"({"ab":1,"a\u0062":2})",
        R"({"o":{"x":1,"x":2}})",
        R"({"a":tru})",
        R"({"a":1} x)",
    };
    for (const std::string &text : refused) {
        EXPECT_EQ(scan(text), Status::BadPayload) << text;
        expectAgreement(text);
    }
}

TEST(PayloadScan, DepthLimitMatchesJsonParse)
{
    auto nested = [](std::size_t depth) {
        return "{\"a\":" + std::string(depth - 1, '[') + "1"
               + std::string(depth - 1, ']') + "}";
    };
    EXPECT_EQ(scan(nested(kMaxJsonDepth)), Status::Ok);
    EXPECT_EQ(scan(nested(kMaxJsonDepth + 1)), Status::BadPayload);
    EXPECT_EQ(scan(nested(10000)), Status::BadPayload);
    expectAgreement(nested(kMaxJsonDepth));
    expectAgreement(nested(kMaxJsonDepth + 1));
}

TEST(PayloadScan, ExtractsTopLevelTimeClaimsOnly)
{
    TimeClaims times;
    ASSERT_EQ(scanPayload(R"({"exp":1.5e9,"nbf":"soon","x":{"iat":5}})",
                          times),
              Status::Ok);
    EXPECT_EQ(times.exp.presence, TimeClaim::Presence::Number);
    EXPECT_EQ(times.exp.value, 1.5e9);
    EXPECT_EQ(times.nbf.presence, TimeClaim::Presence::NotNumber);
    EXPECT_EQ(times.iat.presence, TimeClaim::Presence::Absent);
}

TEST(PayloadScan, IntegersOfEveryLengthConvertAsStrtollDoes)
{
    // Short integers are converted without strtoll: the same values, and
    // the range check still refuses what does not fit 64 bits.
    for (const char *n : {"0", "-0", "7", "-7", "1700000000",
                          "99999999999999999", "-9999999999999999",
                          "999999999999999999", "-99999999999999999",
                          "1000000000000000000", "-999999999999999999",
                          "9223372036854775807", "-9223372036854775808"})
    {
        TimeClaims times;
        ASSERT_EQ(scanPayload(std::string(R"({"exp":)") + n + "}", times),
                  Status::Ok)
            << n;
        EXPECT_EQ(times.exp.value,
                  static_cast<double>(std::strtoll(n, nullptr, 10)))
            << n;
    }
    EXPECT_EQ(scan(R"({"exp":9223372036854775808})"), Status::BadPayload);
    EXPECT_EQ(scan(R"({"exp":-9223372036854775809})"), Status::BadPayload);
}

TEST(PayloadScan, ManyMembersStayLinearithmic)
{
    // the largest payload a token under the size limit can carry, all of
    // it distinct names: must not take quadratic time (no assertion on
    // time here; the fuzzer's timeout and the benchmark watch that)
    std::string text = "{";
    for (int i = 0; i < 1500; i++) {
        text += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
    }
    text += "}";
    EXPECT_EQ(scan(text), Status::Ok);
    EXPECT_EQ(scan(text.substr(0, text.size() - 1) + ",\"7\":1}"),
              Status::BadPayload);
}

TEST(PayloadScan, NamesAreComparedThroughTheirEscapes)
{
    TimeClaims times;
    ASSERT_EQ(scanPayload(R"({"\u0065xp":5,"n\u0062f":"x"})", times),
              Status::Ok);
    EXPECT_EQ(times.exp.presence, TimeClaim::Presence::Number);
    EXPECT_EQ(times.exp.value, 5);
    EXPECT_EQ(times.nbf.presence, TimeClaim::Presence::NotNumber);

    const std::string duplicates[] = {
        R"({"a\/b":1,"a/b":2})",
        R"({"\"":1,"\u0022":2})",
        R"({"\n":1,"\u000a":2})",
        "{\"\\u00e9\":1,\"\xc3\xa9\":2}",
        "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
        R"({"\u00E9x":1,"\u00e9x":2})",
    };
    for (const std::string &text : duplicates) {
        EXPECT_EQ(scan(text), Status::BadPayload) << text;
        expectAgreement(text);
    }
    const std::string distinct[] = {
        R"({"\u00e9":1,"e":2})",
        R"({"a\/b":1,"a\\b":2})",
        R"({"\ud83d\ude00":1,"\ud83d\ude01":2})",
        R"({"ab":1,"a\u0062c":2,"a":3})",
        R"({"":1,"\u0001":2})",
        R"({"\u00e9":1,"ab":2,"\u0061\u0062c":3})",
    };
    for (const std::string &text : distinct) {
        EXPECT_EQ(scan(text), Status::Ok) << text;
        expectAgreement(text);
    }
}

TEST(PayloadScan, EachObjectHasItsOwnNames)
{
    // The same name in nested and sibling objects is no duplicate; a
    // duplicate after a nested object closes still is.
    for (const char *text : {
             R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})",
             R"({"a":{"b":1},"b":{"a":1}})",
         })
    {
        EXPECT_EQ(scan(text), Status::Ok) << text;
        expectAgreement(text);
    }
    for (const char *text : {
             R"({"a":{"b":1},"b":{"a":1},"a":2})",
             R"({"a":[{"x":1,"y":2,"x":3}]})",
         })
    {
        EXPECT_EQ(scan(text), Status::BadPayload) << text;
        expectAgreement(text);
    }
}

TEST(PayloadScan, DuplicatesAreFoundAtAnyNumberOfOpenNames)
{
    // Enough names in the open objects to leave the scanner's inline
    // storage, with the duplicate in the outer object, in the inner one,
    // or nowhere.
    auto members = [](const std::string &prefix, int count) {
        std::string text;
        for (int i = 0; i < count; i++) {
            text += "\"" + prefix + std::to_string(i) + "\":" +
                    std::to_string(i) + ",";
        }
        return text;
    };
    for (int outer : {10, 63, 64, 65, 200}) {
        for (int inner : {1, 10, 100}) {
            std::string head = "{" + members("o", outer) + "\"in\":{"
                               + members("i", inner);
            std::string ok = head + "\"last\":0},\"tail\":1}";
            std::string innerDup = head + "\"i0\":0},\"tail\":1}";
            std::string outerDup = head + "\"last\":0},\"o0\":1}";
            SCOPED_TRACE(std::to_string(outer) + " " + std::to_string(inner));
            EXPECT_EQ(scan(ok), Status::Ok);
            EXPECT_EQ(scan(innerDup), Status::BadPayload);
            EXPECT_EQ(scan(outerDup), Status::BadPayload);
            expectAgreement(ok);
            expectAgreement(innerDup);
            expectAgreement(outerDup);
        }
    }
}

// With deferPayload the verdict is the same, and the tree comes on demand.
TEST(PayloadScan, DeferredVerificationGivesTheSameVerdicts)
{
    KeySet keys;
    keys.add(secretKey(kSecret64));
    const std::string payloads[] = {
        kPayload,
        R"({"sub":"a","exp":1})",
        R"({"sub":"a"})",
        R"({"exp":"2000000000"})",
        R"({"exp":2000000000,"exp":2000000001})",
        R"({"exp":2000000000,"nbf":2000000000})",
        R"([1])",
    };
    for (const std::string &payload : payloads) {
        std::string token = mint(headerFor(Alg::HS256), payload,
                                 hmacSigner(Alg::HS256, kSecret64));
        VerifyOptions eager;
        VerifyOptions deferred;
        deferred.deferPayload = true;
        std::vector<unsigned char> a(tokenScratchSize(token.size()));
        std::vector<unsigned char> b(tokenScratchSize(token.size()));
        VerifiedToken eagerOut;
        VerifiedToken deferredOut;
        Status expected = verifyCompact(token, keys, eager, kNow, a.data(),
                                        a.size(), eagerOut);
        Status got = verifyCompact(token, keys, deferred, kNow, b.data(),
                                   b.size(), deferredOut);
        EXPECT_EQ(got, expected) << payload;
        EXPECT_FALSE(deferredOut.payload) << "not built before it is asked";
        if (got == Status::Ok) {
            const json_t *tree = verifiedPayload(deferredOut);
            ASSERT_NE(tree, nullptr);
            EXPECT_EQ(jsonCompactText(tree),
                      jsonCompactText(eagerOut.payload.get()));
        }
    }
}

}  // namespace
}  // namespace authjwt
