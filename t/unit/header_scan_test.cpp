// scanHeader: the request path's stand-in for Json::parse and the header
// rules. The fuzz target fuzz/fuzz_header.cpp compares the two on
// arbitrary input; these cases pin each class of acceptance and refusal
// by name.

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/header_scan.hpp"
#include "core/json.hpp"
#include "core/verifier.hpp"
#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// What the header check was before the scanner, on a Jansson tree: the
// reference the scanner must agree with.
struct Reference {
    Status status = Status::BadHeader;
    std::string alg;
    std::optional<std::string> kid;
};

Reference reference(const std::string &text)
{
    Reference out;
    Json header = Json::parse(text);
    std::string_view alg;
    if (!json_is_object(header.get())
        || !jsonStringMember(header.get(), "alg", alg))
    {
        return out;
    }
    out.alg = std::string(alg);
    if (json_object_get(header.get(), "kid") != nullptr) {
        std::string_view kid;
        if (!jsonStringMember(header.get(), "kid", kid)) {
            return out;
        }
        out.kid = std::string(kid);
    }
    out.status = json_object_get(header.get(), "crit") != nullptr
                     ? Status::UnsupportedCrit
                     : Status::Ok;
    return out;
}

// scanHeader with a buffer of the documented size, kept with its result.
struct Scanned {
    explicit Scanned(const std::string &text) : buffer(text.size())
    {
        status = scanHeader(text, buffer.data(), buffer.size(), header);
    }

    std::vector<char> buffer;
    JoseHeader header;
    Status status;
};

// The scanner gives text the reference's status, alg and kid.
void expectAgreement(const std::string &text)
{
    Reference expected = reference(text);
    Scanned got(text);
    ASSERT_EQ(got.status, expected.status) << text;
    if (expected.status == Status::Ok) {
        EXPECT_EQ(got.header.alg, expected.alg) << text;
        ASSERT_EQ(got.header.kid.has_value(), expected.kid.has_value())
            << text;
        if (expected.kid) {
            EXPECT_EQ(*got.header.kid, *expected.kid) << text;
        }
    }
}

Status scan(const std::string &text)
{
    return Scanned(text).status;
}

// ---------------------------------------------------------------------
// Accepted headers

TEST(HeaderScan, AcceptsHeadersWithAStringAlg)
{
    for (const char *text : {
             R"({"alg":"HS256"})",
             R"( {"alg" : "RS256" , "typ" : "JWT"} )",
             "{\n\t\"alg\":\"ES256\"\r\n}",
             R"({"typ":"JWT","kid":"k1","alg":"HS256"})",
             R"({"alg":"none"})",
             R"({"alg":""})",
             R"({"alg":"HS256","kid":""})",
             R"({"alg":"HS256","x5c":["MIIB"],"jwk":{"kty":"oct","k":"x"},)"
             R"("n":-1.5e3,"b":true,"z":null,"deep":[[[{"a":[{}]}]]]})",
             R"({"alg":"HS256","ALG":"none","Kid":7,"CRIT":1})",
             R"({"alg":"HS256","x":{"alg":1,"kid":2,"crit":3}})",
         })
    {
        EXPECT_EQ(scan(text), Status::Ok) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, ExtractsAlgAndKidAsViewsWhenNotEscaped)
{
    std::string text = R"({"kid":"key-1","alg":"RS256"})";
    Scanned s(text);
    ASSERT_EQ(s.status, Status::Ok);
    EXPECT_EQ(s.header.alg, "RS256");
    ASSERT_TRUE(s.header.kid);
    EXPECT_EQ(*s.header.kid, "key-1");
    EXPECT_EQ(s.header.alg.data(), text.data() + text.find("RS256"));
    EXPECT_EQ(s.header.kid->data(), text.data() + text.find("key-1"));
    EXPECT_EQ(s.header.bufferUsed, 0u);
}

TEST(HeaderScan, NeedsNoBufferWithoutEscapes)
{
    JoseHeader header;
    EXPECT_EQ(scanHeader(R"({"alg":"HS256","kid":"a"})", nullptr, 0, header),
              Status::Ok);
    EXPECT_EQ(header.alg, "HS256");
}

TEST(HeaderScan, UnescapesAlgAndKidIntoTheBuffer)
{
    std::string text =
        R"({"alg":"HS\u0032\u0035\u0036","kid":"a\/b\u00e9\ud83d\ude00"})";
    Scanned s(text);
    ASSERT_EQ(s.status, Status::Ok);
    EXPECT_EQ(s.header.alg, "HS256");
    ASSERT_TRUE(s.header.kid);
    EXPECT_EQ(*s.header.kid, "a/b\xc3\xa9\xf0\x9f\x98\x80");
    // One after the other at the start of the buffer.
    EXPECT_EQ(s.header.alg.data(), s.buffer.data());
    EXPECT_EQ(s.header.kid->data(), s.buffer.data() + 5);
    EXPECT_EQ(s.header.bufferUsed, 5u + s.header.kid->size());
    expectAgreement(text);

    // Only the escaped one goes to the buffer.
    Scanned kidOnly(R"({"alg":"HS256","kid":"\"q\""})");
    ASSERT_EQ(kidOnly.status, Status::Ok);
    EXPECT_EQ(*kidOnly.header.kid, "\"q\"");
    EXPECT_EQ(kidOnly.header.kid->data(), kidOnly.buffer.data());
    EXPECT_EQ(kidOnly.header.bufferUsed, 3u);
}

TEST(HeaderScan, MemberNamesAreMatchedThroughEscapes)
{
    for (const char *text : {
             R"({"\u0061lg":"HS256"})",
             R"({"alg":"HS256","\u006bid":"x"})",
             R"({"alg":"HS256","\u006bid":1})",
             R"({"alg":"HS256","cri\u0074":[]})",
         })
    {
        expectAgreement(text);
    }
    EXPECT_EQ(scan(R"({"\u0061lg":"HS256"})"), Status::Ok);
    EXPECT_EQ(scan(R"({"alg":"HS256","\u006bid":1})"), Status::BadHeader);
    EXPECT_EQ(scan(R"({"alg":"HS256","cri\u0074":[]})"),
              Status::UnsupportedCrit);
}

TEST(HeaderScan, ATooSmallBufferIsAnInternalError)
{
    std::string text = R"({"alg":"HS\u0032\u0035\u0036"})";
    std::vector<char> buffer(4);
    JoseHeader header;
    EXPECT_EQ(scanHeader(text, buffer.data(), buffer.size(), header),
              Status::InternalError);
}

// ---------------------------------------------------------------------
// BadHeader

TEST(HeaderScan, NotAJsonObjectIsBadHeader)
{
    const std::string refused[] = {
        "",
        " ",
        "[]",
        R"(["alg","HS256"])",
        R"("HS256")",
        "42",
        "null",
        "{",
        R"({"alg":"HS256")",
        R"({"alg":"HS256",})",
        R"({"alg" "HS256"})",
        R"({'alg':'HS256'})",
        R"({alg:"HS256"})",
        R"({"alg":"HS256"} trailing)",
        R"({"alg":"HS256"}{})",
        "\xef\xbb\xbf{\"alg\":\"HS256\"}",
    };
    for (const std::string &text : refused) {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, AlgMissingOrNotAStringIsBadHeader)
{
    for (const char *text : {
             R"({})", R"({"typ":"JWT"})", R"({"ALG":"HS256"})",
             R"({"alg":256})", R"({"alg":null})", R"({"alg":true})",
             R"({"alg":["HS256"]})", R"({"alg":{"name":"HS256"}})",
             R"({"x":{"alg":"HS256"}})",
         })
    {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, KidNotAStringIsBadHeader)
{
    for (const char *text : {
             R"({"alg":"HS256","kid":1})", R"({"alg":"HS256","kid":null})",
             R"({"kid":false,"alg":"HS256"})",
             R"({"alg":"HS256","kid":["a"]})", R"({"alg":"HS256","kid":{}})",
         })
    {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, DuplicateMembersAreBadHeader)
{
    // Two parsers could pick different "alg" values otherwise.
    for (const char *text : {
             R"({"alg":"none","alg":"HS256"})",
             R"({"alg":"HS256","alg":"HS256"})",
             R"({"alg":"HS256","kid":"a","kid":"b"})",
             R"({"alg":"HS256","\u0061lg":"none"})",
             R"({"alg":"HS256","typ":"JWT","typ":"JWT"})",
             R"({"alg":"HS256","x":{"y":1,"y":2}})",
             R"({"alg":"HS256","crit":[],"crit":[]})",
         })
    {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, NulIsBadHeader)
{
    const std::string refused[] = {
        R"({"alg":"HS256","kid":"a\u0000b"})",
        R"({"alg":"HS256\u0000"})",
        R"({"alg":"HS256","\u0000":1})",
        std::string("{\"alg\":\"HS256\"}\0", 16),
        std::string("{\"alg\":\"HS") + '\0' + "256\"}",
        std::string("{\"alg\":\"HS256\",\"x\":1\0}", 22),
    };
    for (const std::string &text : refused) {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, InvalidStringsAndNumbersAnywhereAreBadHeader)
{
    const std::string refused[] = {
        "{\"alg\":\"HS256\",\"x\":\"\x01\"}",
        "{\"alg\":\"HS\t256\"}",
        "{\"alg\":\"HS256\",\"kid\":\"\xc0\xaf\"}",
        "{\"alg\":\"HS256\",\"kid\":\"\xed\xa0\x80\"}",
        "{\"alg\":\"\xff\"}",
        R"({"alg":"HS256","kid":"\ud800"})",
        R"({"alg":"HS256","kid":"\udc00x"})",
        R"({"alg":"HS256","kid":"\x"})",
        R"({"alg":"HS256","kid":"\u12"})",
        R"({"alg":"HS256","n":9223372036854775808})",
        R"({"alg":"HS256","n":1e400})",
        R"({"alg":"HS256","n":01})",
        R"({"alg":"HS256","n":-})",
        R"({"alg":"HS256","t":tru})",
    };
    for (const std::string &text : refused) {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, NestingBeyondTheLimitIsBadHeader)
{
    // The header object itself is one level.
    auto nested = [](std::size_t inner) {
        return R"({"alg":"HS256","x":)" + std::string(inner, '[')
               + std::string(inner, ']') + "}";
    };
    EXPECT_EQ(scan(nested(kMaxJsonDepth - 1)), Status::Ok);
    EXPECT_EQ(scan(nested(kMaxJsonDepth)), Status::BadHeader);
    EXPECT_EQ(scan(nested(10000)), Status::BadHeader);
    expectAgreement(nested(kMaxJsonDepth - 1));
    expectAgreement(nested(kMaxJsonDepth));
}

// ---------------------------------------------------------------------
// UnsupportedCrit

TEST(HeaderScan, CritIsUnsupportedWhateverItHolds)
{
    // RFC 7515 4.1.11: no extension is understood, so any "crit" refuses.
    for (const char *text : {
             R"({"alg":"HS256","crit":["exp"]})",
             R"({"alg":"HS256","crit":[]})",
             R"({"crit":"b64","alg":"HS256"})",
             R"({"alg":"HS256","crit":null})",
             R"({"alg":"none","kid":"k","crit":{}})",
         })
    {
        EXPECT_EQ(scan(text), Status::UnsupportedCrit) << text;
        expectAgreement(text);
    }
}

TEST(HeaderScan, TheHeaderShapeIsCheckedBeforeCrit)
{
    // Crit only decides once the whole header holds.
    for (const char *text : {
             R"({"crit":["x"]})",
             R"({"alg":"HS256","kid":7,"crit":["x"]})",
             R"({"alg":"HS256","crit":["x"],"kid":7})",
             R"({"alg":"HS256","crit":["x"],"y":01})",
             R"({"alg":"HS256","crit":["x"]} x)",
             R"({"alg":"HS256","crit":["x"],"alg":"HS256"})",
         })
    {
        EXPECT_EQ(scan(text), Status::BadHeader) << text;
        expectAgreement(text);
    }
}

// ---------------------------------------------------------------------
// Through the verifier

TEST(HeaderScan, AnEscapedKidSelectsItsKey)
{
    // A kid of "k/1" written "k\/1" names the key "k/1", as it did when
    // Jansson read the header.
    KeySet keys;
    keys.add(secretKey(kSecret64, "k/1"));
    keys.add(secretKey(std::string(64, 'z'), "k\\1"));
    std::string header = R"({"alg":"HS\u0032\u0035\u0036","kid":"k\/1"})";
    std::string t = mint(header, kPayload, hmacSigner(Alg::HS256, kSecret64));
    Verification v(t, keys);
    ASSERT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.token.algName, "HS256");
    EXPECT_EQ(v.out.token.kid, std::optional<std::string_view>("k/1"));
}

}  // namespace
}  // namespace authjwt
