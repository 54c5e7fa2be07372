// The Jansson handle: strict parsing (duplicates, NUL, depth), the nesting
// guard, and the text forms used for variables.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/json.hpp"

namespace authjwt {
namespace {

// The value of one member of a parsed object, as jsonValueText gives it.
std::string memberText(const std::string &objectText, const char *name)
{
    Json doc = Json::parse(objectText);
    EXPECT_TRUE(doc) << objectText;
    if (!doc) {
        return "<parse error>";
    }
    return jsonValueText(json_object_get(doc.get(), name));
}

bool hasRawControl(const std::string &text)
{
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------
// jsonNestingDepth

TEST(JsonNestingDepth, CountsObjectsAndArrays)
{
    EXPECT_EQ(jsonNestingDepth(""), 0u);
    EXPECT_EQ(jsonNestingDepth("1"), 0u);
    EXPECT_EQ(jsonNestingDepth("\"abc\""), 0u);
    EXPECT_EQ(jsonNestingDepth("{}"), 1u);
    EXPECT_EQ(jsonNestingDepth("[]"), 1u);
    EXPECT_EQ(jsonNestingDepth("[[]]"), 2u);
    EXPECT_EQ(jsonNestingDepth(R"({"a":[{"b":[]}]})"), 4u);
    // The deepest point counts, not the sum.
    EXPECT_EQ(jsonNestingDepth("[[],[],[[]]]"), 3u);
    EXPECT_EQ(jsonNestingDepth("{}{}{}"), 1u);
}

TEST(JsonNestingDepth, IgnoresBracketsInsideStrings)
{
    EXPECT_EQ(jsonNestingDepth(R"({"a":"[[[[{{{{"})"), 1u);
    EXPECT_EQ(jsonNestingDepth(R"(["]]]]"])"), 1u);
    // An escaped quote does not end the string.
    EXPECT_EQ(jsonNestingDepth(R"({"a":"\"[[["})"), 1u);
    // An escaped backslash does not escape the closing quote.
    EXPECT_EQ(jsonNestingDepth(R"({"a":"\\","b":[[1]]})"), 3u);
    EXPECT_EQ(jsonNestingDepth(R"(["\\\"[[["])"), 1u);
}

TEST(JsonNestingDepth, SurvivesUnbalancedInput)
{
    EXPECT_EQ(jsonNestingDepth("]]]]"), 0u);
    EXPECT_EQ(jsonNestingDepth("]]]]{"), 1u);
    EXPECT_EQ(jsonNestingDepth("[[[["), 4u);
    EXPECT_EQ(jsonNestingDepth("\"unterminated [[["), 0u);
}

TEST(JsonNestingDepth, HandlesVeryDeepInput)
{
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(jsonNestingDepth(deep), 100000u);
}

// ---------------------------------------------------------------------
// Json::parse

TEST(JsonParse, ParsesObjectsArraysAndScalars)
{
    Json object = Json::parse(R"({"a":1,"b":[true,null,"x"]})");
    ASSERT_TRUE(object);
    EXPECT_TRUE(json_is_object(object.get()));
    EXPECT_EQ(json_integer_value(json_object_get(object.get(), "a")), 1);

    Json array = Json::parse("[1,2]");
    ASSERT_TRUE(array);
    EXPECT_TRUE(json_is_array(array.get()));
}

TEST(JsonParse, RefusesTopLevelScalars)
{
    // Jansson without JSON_DECODE_ANY takes only an object or an array at
    // the top, so a header or payload that is a bare string, number or
    // literal never parses.
    EXPECT_FALSE(Json::parse("\"text\""));
    EXPECT_FALSE(Json::parse("42"));
    EXPECT_FALSE(Json::parse("true"));
    EXPECT_FALSE(Json::parse("null"));
}

TEST(JsonParse, RefusesSyntaxErrors)
{
    EXPECT_FALSE(Json::parse(""));
    EXPECT_FALSE(Json::parse("{"));
    EXPECT_FALSE(Json::parse(R"({"a":})"));
    EXPECT_FALSE(Json::parse(R"({'a':1})"));
    EXPECT_FALSE(Json::parse(R"({"a":1,})"));
    EXPECT_FALSE(Json::parse("{a:1}"));
    EXPECT_FALSE(Json::parse("not json"));
    // Trailing bytes after the value.
    EXPECT_FALSE(Json::parse(R"({"a":1} x)"));
    EXPECT_FALSE(Json::parse(R"({"a":1}{"b":2})"));
    // Invalid UTF-8.
    EXPECT_FALSE(Json::parse("{\"a\":\"\xff\"}"));
}

TEST(JsonParse, RefusesDuplicateKeys)
{
    EXPECT_FALSE(Json::parse(R"({"a":1,"a":2})"));
    EXPECT_FALSE(Json::parse(R"({"a":1,"b":2,"a":1})"));
    // Also inside nested objects.
    EXPECT_FALSE(Json::parse(R"({"o":{"x":1,"x":1}})"));
    EXPECT_FALSE(Json::parse(R"([{"x":1,"x":2}])"));
    // Keys that differ only in case are different keys.
    EXPECT_TRUE(Json::parse(R"({"a":1,"A":2})"));
    // The same key in sibling objects is fine.
    EXPECT_TRUE(Json::parse(R"({"o":{"x":1},"p":{"x":1}})"));
}

TEST(JsonParse, RefusesDuplicateKeysSpelledWithEscapes)
{
    // "\u0061" is "a": the same key, written differently.
    EXPECT_FALSE(Json::parse(R"({"a":1,"\u0061":2})"));
}

TEST(JsonParse, RefusesNul)
{
    EXPECT_FALSE(Json::parse(R"({"a":"x\u0000y"})"));
    EXPECT_FALSE(Json::parse(R"({"x\u0000y":1})"));
    EXPECT_FALSE(Json::parse(std::string("{\"a\":\"x\0y\"}", 11)));
    EXPECT_FALSE(Json::parse(std::string("{\"a\":1}\0", 8)));
}

TEST(JsonParse, UsesTheGivenLengthOnly)
{
    // The view ends before the garbage: no terminating NUL is needed.
    std::string text = R"({"a":1}garbage)";
    Json doc = Json::parse(std::string_view(text).substr(0, 7));
    ASSERT_TRUE(doc);
    EXPECT_TRUE(json_is_object(doc.get()));
}

TEST(JsonParse, RefusesNestingBeyondTheLimit)
{
    auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    EXPECT_TRUE(Json::parse(nested(kMaxJsonDepth)));
    EXPECT_FALSE(Json::parse(nested(kMaxJsonDepth + 1)));
    EXPECT_TRUE(Json::parse(nested(5), 5));
    EXPECT_FALSE(Json::parse(nested(6), 5));
    EXPECT_FALSE(Json::parse("{}", 0));
}

TEST(JsonParse, RefusesHugeNestingWithoutRecursing)
{
    // Far deeper than any stack would allow a recursive parser.
    std::string deep;
    for (int i = 0; i < 200000; i++) {
        deep += R"({"a":)";
    }
    deep += "1" + std::string(200000, '}');
    EXPECT_FALSE(Json::parse(deep));
}

TEST(JsonParse, NumbersOutOfRangeAreRefused)
{
    // Jansson refuses integer and real overflow rather than clamping.
    EXPECT_FALSE(Json::parse(R"({"n":99999999999999999999})"));
    EXPECT_FALSE(Json::parse(R"({"n":1e400})"));
    EXPECT_TRUE(Json::parse(R"({"n":9223372036854775807})"));
    EXPECT_TRUE(Json::parse(R"({"n":-9223372036854775808})"));
}

// ---------------------------------------------------------------------
// The handle

TEST(JsonHandle, CopiesShareAndMovesTransferTheReference)
{
    Json a = Json::parse(R"({"k":"v"})");
    ASSERT_TRUE(a);
    json_t *raw = a.get();
    EXPECT_EQ(raw->refcount, 1u);
    {
        Json b = a;
        EXPECT_EQ(b.get(), raw);
        EXPECT_EQ(raw->refcount, 2u);
        Json c = std::move(b);
        EXPECT_FALSE(b);
        EXPECT_EQ(c.get(), raw);
        EXPECT_EQ(raw->refcount, 2u);
    }
    EXPECT_EQ(raw->refcount, 1u);

    Json d;
    EXPECT_FALSE(d);
    d = a;
    EXPECT_EQ(raw->refcount, 2u);
    d = Json();
    EXPECT_EQ(raw->refcount, 1u);
    a = a;
    EXPECT_EQ(raw->refcount, 1u);
}

// ---------------------------------------------------------------------
// jsonStringMember

TEST(JsonStringMember, OnlyStringsAreReturned)
{
    Json doc = Json::parse(
        R"({"s":"text","e":"","n":1,"z":null,"b":true,"a":["x"],"o":{}})");
    ASSERT_TRUE(doc);
    std::string_view out = "unchanged";
    EXPECT_TRUE(jsonStringMember(doc.get(), "s", out));
    EXPECT_EQ(out, "text");
    EXPECT_TRUE(jsonStringMember(doc.get(), "e", out));
    EXPECT_EQ(out, "");
    for (const char *name : {"n", "z", "b", "a", "o", "missing"}) {
        EXPECT_FALSE(jsonStringMember(doc.get(), name, out)) << name;
    }
    // Not an object at all.
    Json array = Json::parse(R"(["s"])");
    EXPECT_FALSE(jsonStringMember(array.get(), "s", out));
    EXPECT_FALSE(jsonStringMember(nullptr, "s", out));
}

TEST(JsonStringMember, KeepsMultiByteUtf8)
{
    Json doc = Json::parse(R"({"s":"caf\u00e9 \u2603"})");
    ASSERT_TRUE(doc);
    std::string_view out;
    ASSERT_TRUE(jsonStringMember(doc.get(), "s", out));
    EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x98\x83");
}

// ---------------------------------------------------------------------
// jsonValueText

TEST(JsonValueText, StringsAreRaw)
{
    EXPECT_EQ(memberText(R"({"v":"alice"})", "v"), "alice");
    EXPECT_EQ(memberText(R"({"v":""})", "v"), "");
    // No quotes, no JSON escaping of quotes or backslashes.
    EXPECT_EQ(memberText(R"({"v":"a\"b\\c/d"})", "v"), "a\"b\\c/d");
    EXPECT_EQ(memberText(R"({"v":"caf\u00e9"})", "v"), "caf\xc3\xa9");
}

TEST(JsonValueText, ControlCharactersInStringsAreEscaped)
{
    EXPECT_EQ(memberText(R"({"v":"a\r\nb"})", "v"), "a\\u000d\\u000ab");
    EXPECT_EQ(memberText(R"({"v":"\t"})", "v"), "\\u0009");
    EXPECT_EQ(memberText(R"({"v":"x\u001fy"})", "v"), "x\\u001fy");
    EXPECT_EQ(memberText(R"({"v":"x\u007fy"})", "v"), "x\\u007fy");
    EXPECT_EQ(memberText(R"({"v":"\u0001"})", "v"), "\\u0001");
    // U+0080 and above are not control characters here.
    EXPECT_EQ(memberText(R"({"v":"\u0080"})", "v"), "\xc2\x80");
}

TEST(JsonValueText, ScalarsAreJson)
{
    EXPECT_EQ(memberText(R"({"v":42})", "v"), "42");
    EXPECT_EQ(memberText(R"({"v":-7})", "v"), "-7");
    EXPECT_EQ(memberText(R"({"v":1.5})", "v"), "1.5");
    EXPECT_EQ(memberText(R"({"v":true})", "v"), "true");
    EXPECT_EQ(memberText(R"({"v":false})", "v"), "false");
    EXPECT_EQ(memberText(R"({"v":null})", "v"), "null");
    EXPECT_EQ(memberText(R"({"v":9223372036854775807})", "v"),
              "9223372036854775807");
}

TEST(JsonValueText, ArraysAreJoinedByCommas)
{
    EXPECT_EQ(memberText(R"({"v":["a","b","c"]})", "v"), "a,b,c");
    EXPECT_EQ(memberText(R"({"v":["admin"]})", "v"), "admin");
    EXPECT_EQ(memberText(R"({"v":[]})", "v"), "");
    EXPECT_EQ(memberText(R"({"v":["a",1,true,null]})", "v"), "a,1,true,null");
    // Elements are escaped like strings.
    EXPECT_EQ(memberText(R"({"v":["a\nb","c"]})", "v"), "a\\u000ab,c");
    // Nested containers appear as compact JSON.
    EXPECT_EQ(memberText(R"({"v":["a",["b","c"],{"d":1}]})", "v"),
              R"(a,["b","c"],{"d":1})");
}

TEST(JsonValueText, ObjectsAreCompactJson)
{
    EXPECT_EQ(memberText(R"({"v":{ "a" : 1 , "b" : [ true , "x" ] }})", "v"),
              R"({"a":1,"b":[true,"x"]})");
    EXPECT_EQ(memberText(R"({"v":{}})", "v"), "{}");
}

TEST(JsonValueText, NothingProducesARawLineBreak)
{
    // Whatever shape a claim has, CR and LF never come out raw.
    const char *claims[] = {
        R"({"v":"a\r\nb"})",
        R"({"v":["a\r\nb"]})",
        R"({"v":[["a\r\nb"]]})",
        R"({"v":{"k":"a\r\nb"}})",
        R"({"v":{"a\r\nb":1}})",
        R"({"v":[{"k\n":"\r"}]})",
    };
    for (const char *claim : claims) {
        std::string text = memberText(claim, "v");
        EXPECT_EQ(text.find('\r'), std::string::npos) << claim;
        EXPECT_EQ(text.find('\n'), std::string::npos) << claim;
    }
}

TEST(JsonValueText, NoControlCharacterComesOutRaw)
{
    // Every control character (and DEL), at every level of nesting.
    for (int c = 1; c < 0x20; c++) {
        char escaped[8];
        std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
        std::string s = std::string("x") + escaped + "y";
        const std::string claims[] = {
            R"({"v":")" + s + "\"}",
            R"({"v":[")" + s + "\"]}",
            R"({"v":[[")" + s + "\"]]}",
            R"({"v":{"k":")" + s + "\"}}",
        };
        for (const std::string &claim : claims) {
            EXPECT_FALSE(hasRawControl(memberText(claim, "v"))) << claim;
        }
    }
}

TEST(JsonValueText, DelIsEscapedInStringsAndArrayElements)
{
    EXPECT_EQ(memberText(R"({"v":"\u007f"})", "v"), "\\u007f");
    EXPECT_EQ(memberText(R"({"v":["\u007f"]})", "v"), "\\u007f");
}

TEST(JsonValueText, DelIsEscapedInNestedValuesToo)
{
    EXPECT_FALSE(hasRawControl(memberText(R"({"v":[["\u007f"]]})", "v")));
    EXPECT_FALSE(hasRawControl(memberText(R"({"v":{"k":"\u007f"}})", "v")));
    EXPECT_FALSE(hasRawControl(memberText(R"({"v":{"\u007f":1}})", "v")));
}

// ---------------------------------------------------------------------
// jsonCompactText

TEST(JsonCompactText, SerializesWithoutWhitespace)
{
    Json doc = Json::parse(R"( { "sub" : "alice" , "n" : [ 1 , 2 ] } )");
    ASSERT_TRUE(doc);
    EXPECT_EQ(jsonCompactText(doc.get()), R"({"sub":"alice","n":[1,2]})");
}

TEST(JsonCompactText, KeepsMemberOrder)
{
    Json doc = Json::parse(R"({"z":1,"a":2,"m":3})");
    ASSERT_TRUE(doc);
    EXPECT_EQ(jsonCompactText(doc.get()), R"({"z":1,"a":2,"m":3})");
}

TEST(JsonCompactText, ScalarsAreJsonToo)
{
    Json doc = Json::parse(R"({"s":"a\"b","n":1,"t":true,"z":null})");
    ASSERT_TRUE(doc);
    EXPECT_EQ(jsonCompactText(json_object_get(doc.get(), "s")), R"("a\"b")");
    EXPECT_EQ(jsonCompactText(json_object_get(doc.get(), "n")), "1");
    EXPECT_EQ(jsonCompactText(json_object_get(doc.get(), "t")), "true");
    EXPECT_EQ(jsonCompactText(json_object_get(doc.get(), "z")), "null");
}

TEST(JsonCompactText, EscapesControlCharacters)
{
    Json doc = Json::parse(R"({"k":"a\r\nb\u0001"})");
    ASSERT_TRUE(doc);
    std::string text = jsonCompactText(doc.get());
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_FALSE(hasRawControl(text)) << text;
    // Round trip: the text parses back to the same string.
    Json again = Json::parse(text);
    ASSERT_TRUE(again);
    std::string_view value;
    ASSERT_TRUE(jsonStringMember(again.get(), "k", value));
    EXPECT_EQ(value, "a\r\nb\x01");
}

TEST(JsonCompactText, RoundTripsNestedDocuments)
{
    const char *text = R"({"a":[1,2.5,"x",{"b":null}],"c":{"d":[]},"e":""})";
    Json doc = Json::parse(text);
    ASSERT_TRUE(doc);
    EXPECT_EQ(jsonCompactText(doc.get()), text);
}

TEST(JsonMemberIgnoringCase, FindsTheOnlyMemberOfThatName)
{
    Json doc = Json::parse(R"({"userId":"U1","other":2})");
    ASSERT_TRUE(doc);
    const json_t *member = jsonMemberIgnoringCase(doc.get(), "userid");
    ASSERT_NE(member, nullptr);
    EXPECT_STREQ(json_string_value(member), "U1");
    EXPECT_EQ(jsonMemberIgnoringCase(doc.get(), "USERID"), member);
    EXPECT_EQ(jsonMemberIgnoringCase(doc.get(), "user"), nullptr);
}

TEST(JsonMemberIgnoringCase, RefusesToChooseBetweenCaseVariants)
{
    Json doc = Json::parse(R"({"userId":"U1","userid":"u2"})");
    ASSERT_TRUE(doc);
    EXPECT_EQ(jsonMemberIgnoringCase(doc.get(), "userid"), nullptr);
}

}  // namespace
}  // namespace authjwt

