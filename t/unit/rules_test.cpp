// Claim rules (auth_jwt_claims): the grammar parsed by parseRule and
// parseClaimPath, parseNumber, findClaim, and evaluateRule against
// payloads.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/rules.hpp"
#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

const char *opName(RuleOp op)
{
    switch (op) {
    case RuleOp::Present:
        return "Present";
    case RuleOp::Equal:
        return "Equal";
    case RuleOp::NotEqual:
        return "NotEqual";
    case RuleOp::ContainsWord:
        return "ContainsWord";
    case RuleOp::Less:
        return "Less";
    case RuleOp::LessEqual:
        return "LessEqual";
    case RuleOp::Greater:
        return "Greater";
    case RuleOp::GreaterEqual:
        return "GreaterEqual";
    }
    return "?";
}

}  // namespace

// gtest prints a RuleOp by name rather than as a number. Static: found by
// argument-dependent lookup, private to this file.
static void PrintTo(RuleOp op, std::ostream *os)
{
    *os << opName(op);
}

namespace {

// A rule that must parse; an empty Rule (and a test failure) otherwise.
Rule rule(const std::string &text)
{
    std::string error;
    std::optional<Rule> parsed = parseRule(text, error);
    EXPECT_TRUE(parsed) << text << ": " << error;
    return parsed ? *parsed : Rule{};
}

// The error for a rule that must not parse.
std::string ruleError(const std::string &text)
{
    std::string error;
    std::optional<Rule> parsed = parseRule(text, error);
    EXPECT_FALSE(parsed) << text << " parsed";
    EXPECT_FALSE(error.empty()) << text;
    return error;
}

std::vector<std::string> segments(const std::string &text)
{
    std::string error;
    std::optional<ClaimPath> path = parseClaimPath(text, error);
    EXPECT_TRUE(path) << text << ": " << error;
    return path ? path->segments : std::vector<std::string>{};
}

// Parses ruleText, then evaluates it against payload with the rule's own
// operand (no variables to expand).
bool holds(const std::string &ruleText, const std::string &payload)
{
    std::string error;
    std::optional<Rule> parsed = parseRule(ruleText, error);
    Json doc = Json::parse(payload);
    EXPECT_TRUE(parsed) << ruleText << ": " << error;
    EXPECT_TRUE(doc) << payload;
    if (!parsed || !doc) {
        return false;
    }
    return evaluateRule(*parsed, doc.get(), parsed->operand);
}

// holds() for a rule "claim" OP operand against {"claim": claimJson}.
bool claimHolds(const std::string &claimJson, const std::string &op,
                const std::string &operand)
{
    return holds("claim" + op + operand, R"({"claim":)" + claimJson + "}");
}

using Path = std::vector<std::string>;

// ---------------------------------------------------------------------
// parseRule: the forms

TEST(Rules, BareNameIsPresent)
{
    Rule r = rule("sub");
    EXPECT_EQ(r.op, RuleOp::Present);
    EXPECT_EQ(r.path.segments, Path{"sub"});
    EXPECT_EQ(r.operand, "");
}

TEST(Rules, EveryOperator)
{
    struct Case {
        const char *text;
        RuleOp op;
    };
    for (const Case &c : {
             Case{"role=admin", RuleOp::Equal},
             Case{"role!=admin", RuleOp::NotEqual},
             Case{"role~=admin", RuleOp::ContainsWord},
             Case{"role<admin", RuleOp::Less},
             Case{"role<=admin", RuleOp::LessEqual},
             Case{"role>admin", RuleOp::Greater},
             Case{"role>=admin", RuleOp::GreaterEqual},
         })
    {
        Rule r = rule(c.text);
        EXPECT_EQ(r.op, c.op) << c.text;
        EXPECT_EQ(r.path.segments, Path{"role"}) << c.text;
        EXPECT_EQ(r.operand, "admin") << c.text;
    }
}

TEST(Rules, LongestOperatorWins)
{
    Rule r = rule("a<=1");
    EXPECT_EQ(r.op, RuleOp::LessEqual);
    EXPECT_EQ(r.operand, "1");

    r = rule("a<1");
    EXPECT_EQ(r.op, RuleOp::Less);
    EXPECT_EQ(r.operand, "1");

    r = rule("a>=1");
    EXPECT_EQ(r.op, RuleOp::GreaterEqual);
    EXPECT_EQ(r.operand, "1");

    r = rule("a>1");
    EXPECT_EQ(r.op, RuleOp::Greater);
    EXPECT_EQ(r.operand, "1");

    r = rule("a!=");
    EXPECT_EQ(r.op, RuleOp::NotEqual);
    EXPECT_EQ(r.operand, "");

    r = rule("a~=");
    EXPECT_EQ(r.op, RuleOp::ContainsWord);
    EXPECT_EQ(r.operand, "");

    r = rule("a=");
    EXPECT_EQ(r.op, RuleOp::Equal);
    EXPECT_EQ(r.operand, "");
}

TEST(Rules, OnlyTheFirstOperatorCountsTheRestIsOperand)
{
    struct Case {
        const char *text;
        RuleOp op;
        const char *operand;
    };
    for (const Case &c : {
             Case{"a==b", RuleOp::Equal, "=b"},
             Case{"a=b=c", RuleOp::Equal, "b=c"},
             Case{"a=<b", RuleOp::Equal, "<b"},
             Case{"a=!=b", RuleOp::Equal, "!=b"},
             Case{"a!==b", RuleOp::NotEqual, "=b"},
             Case{"a~==b", RuleOp::ContainsWord, "=b"},
             Case{"a<>b", RuleOp::Less, ">b"},
             Case{"a<<b", RuleOp::Less, "<b"},
             Case{"a<==b", RuleOp::LessEqual, "=b"},
             Case{"a>=<", RuleOp::GreaterEqual, "<"},
             Case{"a=c.d", RuleOp::Equal, "c.d"},
         })
    {
        Rule r = rule(c.text);
        EXPECT_EQ(r.op, c.op) << c.text;
        EXPECT_EQ(r.path.segments, Path{"a"}) << c.text;
        EXPECT_EQ(r.operand, c.operand) << c.text;
    }
}

TEST(Rules, DottedPaths)
{
    Rule r = rule("realm_access.roles~=admin");
    EXPECT_EQ(r.op, RuleOp::ContainsWord);
    EXPECT_EQ(r.path.segments, (Path{"realm_access", "roles"}));
    EXPECT_EQ(r.operand, "admin");

    r = rule("a.b.c.d");
    EXPECT_EQ(r.op, RuleOp::Present);
    EXPECT_EQ(r.path.segments, (Path{"a", "b", "c", "d"}));

    // A URI-like claim name splits at its dots too.
    r = rule("https://example.com/roles=x");
    EXPECT_EQ(r.path.segments, (Path{"https://example", "com/roles"}));
}

TEST(Rules, OperandIsKeptVerbatim)
{
    // Spaces, variables and quotes are the caller's business.
    EXPECT_EQ(rule("a= b c ").operand, " b c ");
    EXPECT_EQ(rule("a=$arg_role").operand, "$arg_role");
    EXPECT_EQ(rule("a~=${http_x} $y").operand, "${http_x} $y");
    EXPECT_EQ(rule(R"(a="quoted")").operand, R"("quoted")");
    EXPECT_EQ(rule("a<=  42").operand, "  42");
    EXPECT_EQ(rule("a=\xc3\xa9t\xc3\xa9").operand, "\xc3\xa9t\xc3\xa9");
    // Spaces in the name stay in the segment.
    EXPECT_EQ(rule("a b=c").path.segments, Path{"a b"});
}

TEST(Rules, EmptyNameIsAnError)
{
    for (const char *text : {"", "=x", "=", "!=x", "~=x", "<1", "<=1", ">1",
                             ">=1"})
    {
        ruleError(text);
    }
}

TEST(Rules, EmptySegmentIsAnError)
{
    for (const char *text : {"a..b", "a..b=c", "a.", "a.=x", ".a", ".a=x",
                             ".", "..", "a.b.", ".a.b"})
    {
        ruleError(text);
    }
}

TEST(Rules, UnknownOperatorIsAnError)
{
    for (const char *text : {"a!b", "a!", "a~b", "a~", "a!<1", "a~<1", "!",
                             "~"})
    {
        ruleError(text);
    }
}

TEST(Rules, ParseClaimPath)
{
    EXPECT_EQ(segments("sub"), Path{"sub"});
    EXPECT_EQ(segments("a.b.c"), (Path{"a", "b", "c"}));
    EXPECT_EQ(segments("a b.c d"), (Path{"a b", "c d"}));
    // Operator characters are not the path's concern.
    EXPECT_EQ(segments("a=b"), Path{"a=b"});

    for (const char *text : {"", ".", "a.", ".a", "a..b", "a.b..", "..."}) {
        std::string error;
        EXPECT_FALSE(parseClaimPath(text, error)) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
}

TEST(Rules, IsNumericOp)
{
    EXPECT_FALSE(isNumericOp(RuleOp::Present));
    EXPECT_FALSE(isNumericOp(RuleOp::Equal));
    EXPECT_FALSE(isNumericOp(RuleOp::NotEqual));
    EXPECT_FALSE(isNumericOp(RuleOp::ContainsWord));
    EXPECT_TRUE(isNumericOp(RuleOp::Less));
    EXPECT_TRUE(isNumericOp(RuleOp::LessEqual));
    EXPECT_TRUE(isNumericOp(RuleOp::Greater));
    EXPECT_TRUE(isNumericOp(RuleOp::GreaterEqual));
}

// ---------------------------------------------------------------------
// parseNumber

TEST(Rules, ParseNumberAcceptsNumbers)
{
    struct Case {
        const char *text;
        double value;
    };
    for (const Case &c : {
             Case{"0", 0.0},
             Case{"3", 3.0},
             Case{"-3", -3.0},
             Case{"42", 42.0},
             Case{"3.0", 3.0},
             Case{"0.5", 0.5},
             Case{"-0.25", -0.25},
             Case{"1e3", 1000.0},
             Case{"1E3", 1000.0},
             Case{"1.5e-3", 0.0015},
             Case{"-2e+2", -200.0},
             Case{"1e308", 1e308},
             Case{"-1e308", -1e308},
             Case{"1600000000", 1600000000.0},
             Case{"9223372036854775807", 9223372036854775807.0},
         })
    {
        std::optional<double> v = parseNumber(c.text);
        ASSERT_TRUE(v) << c.text;
        EXPECT_EQ(*v, c.value) << c.text;
    }
}

TEST(Rules, ParseNumberRefusesNonNumbers)
{
    for (const char *text :
         {"", "1x", "x1", "abc", "1 ", "1.2.3", "1e", "e3", "-", "+", ".",
          "1-", "--1", "nan", "NaN", "-nan", "inf", "-inf", "Infinity",
          "infinity", "1e400", "-1e400", "1e99999", "true", "null", "\"1\""})
    {
        EXPECT_FALSE(parseNumber(text)) << '"' << text << '"';
    }
    // An embedded NUL ends strtod's reading, not the string.
    EXPECT_FALSE(parseNumber(std::string_view("1\0" "2", 3)));
    EXPECT_FALSE(parseNumber(std::string_view("\0", 1)));
}

TEST(Rules, ParseNumberLeadingWhitespaceIsRefused)
{
    for (const char *text : {" 1", "\t1", "\n1", "  -2.5", " "}) {
        EXPECT_FALSE(parseNumber(text)) << '"' << text << '"';
    }
    EXPECT_FALSE(claimHolds("3", "=", " 3"));
    EXPECT_FALSE(claimHolds("3", "<", " 4"));
}

TEST(Rules, ParseNumberAcceptsSubnormals)
{
    std::optional<double> v = parseNumber("4.9e-324");
    ASSERT_TRUE(v);
    EXPECT_GT(*v, 0.0);
    EXPECT_TRUE(claimHolds("4.9e-324", "=", "4.9e-324"));
}

TEST(Rules, ParseNumberLongStrings)
{
    // rules.cpp copies into a 64-byte buffer; 63 characters still parse.
    std::string longest = "1." + std::string(60, '0') + "1";
    ASSERT_EQ(longest.size(), 63u);
    std::optional<double> v = parseNumber(longest);
    ASSERT_TRUE(v);
    EXPECT_DOUBLE_EQ(*v, 1.0);

    std::string negative = "-5." + std::string(60, '0');
    ASSERT_EQ(negative.size(), 63u);
    v = parseNumber(negative);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, -5.0);

    // Beyond that, refused without reading past the buffer (ASan would
    // tell), whatever the text: rules.cpp documents the limit as "numbers
    // worth comparing are short"; the header does not mention it.
    for (std::size_t size : {64u, 65u, 100u, 4096u, 1000000u}) {
        std::string digits(size, '9');
        EXPECT_FALSE(parseNumber(digits)) << size;
        std::string zeros = std::string(size - 1, '0') + "1";
        EXPECT_FALSE(parseNumber(zeros)) << size;
        EXPECT_FALSE(parseNumber(std::string(size, 'x'))) << size;
        EXPECT_FALSE(parseNumber(std::string(size, ' '))) << size;
    }
}

// ---------------------------------------------------------------------
// findClaim

TEST(Rules, FindClaim)
{
    Json doc = Json::parse(R"({"a":{"b":{"c":7}},"s":"x","n":null,)"
                           R"("arr":[{"b":1}],"a.b":"dotted"})");
    ASSERT_TRUE(doc);
    auto find = [&doc](std::vector<std::string> path) {
        return findClaim(doc.get(), ClaimPath{std::move(path)});
    };
    const json_t *c = find({"a", "b", "c"});
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(json_integer_value(c), 7);
    EXPECT_TRUE(json_is_object(find({"a", "b"})));
    EXPECT_TRUE(json_is_null(find({"n"})));
    EXPECT_EQ(find({"missing"}), nullptr);
    EXPECT_EQ(find({"a", "missing"}), nullptr);
    EXPECT_EQ(find({"a", "b", "c", "d"}), nullptr);  // through a number
    EXPECT_EQ(find({"s", "x"}), nullptr);            // through a string
    EXPECT_EQ(find({"n", "x"}), nullptr);            // through null
    EXPECT_EQ(find({"arr", "b"}), nullptr);          // through an array
    EXPECT_EQ(find({"arr", "0"}), nullptr);          // no indexing
    // A segment built by hand may hold a dot; a parsed path never does,
    // so "a.b" in a rule reaches a -> b, never the member "a.b".
    const json_t *dotted = find({"a.b"});
    ASSERT_NE(dotted, nullptr);
    EXPECT_STREQ(json_string_value(dotted), "dotted");
    EXPECT_EQ(findClaim(doc.get(), rule("a.b").path), find({"a", "b"}));

    // A payload that is not an object holds no claims.
    Json array = Json::parse("[1]");
    ASSERT_TRUE(array);
    EXPECT_EQ(findClaim(array.get(), ClaimPath{{"0"}}), nullptr);
    EXPECT_EQ(findClaim(nullptr, ClaimPath{{"a"}}), nullptr);
}

// ---------------------------------------------------------------------
// evaluateRule: presence

TEST(Rules, PresentIsTrueForAnyNonNullValue)
{
    for (const char *value : {R"("x")", R"("")", "0", "0.0", "-1", "true",
                              "false", "[]", "[null]", "{}", R"({"a":1})"})
    {
        EXPECT_TRUE(claimHolds(value, "", "")) << value;
    }
}

TEST(Rules, PresentIsFalseForNullAndMissing)
{
    EXPECT_FALSE(claimHolds("null", "", ""));
    EXPECT_FALSE(holds("claim", "{}"));
    EXPECT_FALSE(holds("claim", R"({"Claim":1,"claims":1})"));
}

// ---------------------------------------------------------------------
// evaluateRule: = and != on scalars

TEST(Rules, StringsCompareAsText)
{
    EXPECT_TRUE(claimHolds(R"("admin")", "=", "admin"));
    EXPECT_FALSE(claimHolds(R"("admin")", "=", "Admin"));
    EXPECT_FALSE(claimHolds(R"("admin")", "=", "admin "));
    EXPECT_FALSE(claimHolds(R"("admin")", "=", "adm"));
    EXPECT_FALSE(claimHolds(R"("admin")", "=", ""));
    EXPECT_TRUE(claimHolds(R"("")", "=", ""));
    EXPECT_TRUE(claimHolds(R"("a b")", "=", "a b"));
    EXPECT_TRUE(claimHolds(R"("\u00e9")", "=", "\xc3\xa9"));
    // A string that looks like another type is still a string.
    EXPECT_TRUE(claimHolds(R"("3")", "=", "3"));
    EXPECT_FALSE(claimHolds(R"("3")", "=", "3.0"));
    EXPECT_TRUE(claimHolds(R"("true")", "=", "true"));
    EXPECT_TRUE(claimHolds(R"("null")", "=", "null"));

    EXPECT_FALSE(claimHolds(R"("admin")", "!=", "admin"));
    EXPECT_TRUE(claimHolds(R"("admin")", "!=", "Admin"));
    EXPECT_TRUE(claimHolds(R"("admin")", "!=", ""));
}

TEST(Rules, NumbersCompareAsNumbers)
{
    EXPECT_TRUE(claimHolds("3", "=", "3"));
    EXPECT_TRUE(claimHolds("3", "=", "3.0"));
    EXPECT_TRUE(claimHolds("3", "=", "3e0"));
    EXPECT_TRUE(claimHolds("3.0", "=", "3"));
    EXPECT_TRUE(claimHolds("3.5", "=", "3.5"));
    EXPECT_TRUE(claimHolds("1e2", "=", "100"));
    EXPECT_TRUE(claimHolds("0.1", "=", "0.1"));
    EXPECT_TRUE(claimHolds("-7", "=", "-7"));
    EXPECT_TRUE(claimHolds("0", "=", "-0"));
    EXPECT_FALSE(claimHolds("3", "=", "4"));
    EXPECT_FALSE(claimHolds("3", "=", "-3"));
    EXPECT_FALSE(claimHolds("3", "=", "3.5"));
    EXPECT_FALSE(claimHolds("3", "=", "three"));
    EXPECT_FALSE(claimHolds("3", "=", "3x"));
    EXPECT_FALSE(claimHolds("3", "=", ""));
    EXPECT_FALSE(claimHolds("0", "=", "false"));
    EXPECT_FALSE(claimHolds("0", "=", "null"));

    EXPECT_FALSE(claimHolds("3", "!=", "3"));
    EXPECT_FALSE(claimHolds("3.0", "!=", "3"));
    EXPECT_TRUE(claimHolds("3", "!=", "4"));
    // An operand that is not a number never equals a number.
    EXPECT_TRUE(claimHolds("3", "!=", "three"));
    EXPECT_TRUE(claimHolds("3", "!=", ""));
}

TEST(Rules, LargeIntegersCompareExactly)
{
    EXPECT_TRUE(claimHolds("9007199254740993", "=", "9007199254740993"));
    EXPECT_FALSE(claimHolds("9007199254740993", "=", "9007199254740992"));
    EXPECT_TRUE(claimHolds("9007199254740993", "!=", "9007199254740992"));
    EXPECT_FALSE(claimHolds("1234567890123456789", "=",
                            "1234567890123456788"));
    EXPECT_TRUE(claimHolds("9007199254740993", ">", "9007199254740992"));
}

TEST(Rules, BooleansCompareAsTheirJsonText)
{
    EXPECT_TRUE(claimHolds("true", "=", "true"));
    EXPECT_TRUE(claimHolds("false", "=", "false"));
    EXPECT_FALSE(claimHolds("true", "=", "false"));
    EXPECT_FALSE(claimHolds("false", "=", "true"));
    for (const char *other : {"True", "TRUE", "1", "yes", "", "true "}) {
        EXPECT_FALSE(claimHolds("true", "=", other)) << other;
        EXPECT_TRUE(claimHolds("true", "!=", other)) << other;
    }
    EXPECT_FALSE(claimHolds("false", "=", "0"));
    EXPECT_FALSE(claimHolds("false", "=", ""));
    EXPECT_TRUE(claimHolds("true", "!=", "false"));
    EXPECT_FALSE(claimHolds("false", "!=", "false"));
}

TEST(Rules, NullComparesAsNull)
{
    EXPECT_TRUE(claimHolds("null", "=", "null"));
    EXPECT_FALSE(claimHolds("null", "!=", "null"));
    for (const char *other : {"", "Null", "NULL", "0", "false", "nil"}) {
        EXPECT_FALSE(claimHolds("null", "=", other)) << other;
        EXPECT_TRUE(claimHolds("null", "!=", other)) << other;
    }
}

TEST(Rules, ObjectsNeverEqual)
{
    for (const char *operand : {"", "{}", R"({"a":1})", "[object]", "null"}) {
        EXPECT_FALSE(claimHolds("{}", "=", operand)) << operand;
        EXPECT_FALSE(claimHolds(R"({"a":1})", "=", operand)) << operand;
        EXPECT_TRUE(claimHolds(R"({"a":1})", "!=", operand)) << operand;
    }
}

// ---------------------------------------------------------------------
// evaluateRule: = and != on arrays (RFC 7519 "aud" semantics)

TEST(Rules, ArrayEqualMeansContains)
{
    const std::string roles = R"(["user","admin"])";
    EXPECT_TRUE(claimHolds(roles, "=", "admin"));
    EXPECT_TRUE(claimHolds(roles, "=", "user"));
    EXPECT_FALSE(claimHolds(roles, "=", "root"));
    EXPECT_FALSE(claimHolds(roles, "=", "Admin"));
    EXPECT_FALSE(claimHolds(roles, "=", "user,admin"));
    EXPECT_FALSE(claimHolds(roles, "=", ""));
    EXPECT_FALSE(claimHolds(roles, "!=", "admin"));
    EXPECT_TRUE(claimHolds(roles, "!=", "root"));

    EXPECT_FALSE(claimHolds("[]", "=", ""));
    EXPECT_FALSE(claimHolds("[]", "=", "x"));
    EXPECT_TRUE(claimHolds("[]", "!=", "x"));
    EXPECT_TRUE(claimHolds(R"([""])", "=", ""));
}

TEST(Rules, ArrayOfMixedTypes)
{
    const std::string mixed = R"([1, "2", true, null, 3.5, {"x":"y"}, ["z"]])";
    EXPECT_TRUE(claimHolds(mixed, "=", "1"));
    EXPECT_TRUE(claimHolds(mixed, "=", "1.0"));
    EXPECT_TRUE(claimHolds(mixed, "=", "2"));
    EXPECT_TRUE(claimHolds(mixed, "=", "true"));
    EXPECT_TRUE(claimHolds(mixed, "=", "null"));
    EXPECT_TRUE(claimHolds(mixed, "=", "3.5"));
    EXPECT_FALSE(claimHolds(mixed, "=", "2.0"));  // "2" is a string
    EXPECT_FALSE(claimHolds(mixed, "=", "false"));
    // Elements are not searched recursively.
    EXPECT_FALSE(claimHolds(mixed, "=", "y"));
    EXPECT_FALSE(claimHolds(mixed, "=", "z"));
    EXPECT_TRUE(claimHolds(mixed, "!=", "z"));
    EXPECT_FALSE(claimHolds(R"([["admin"]])", "=", "admin"));
}

// ---------------------------------------------------------------------
// evaluateRule: ~=

TEST(Rules, ContainsWordInArrays)
{
    const std::string roles = R"(["read","write","read write"])";
    EXPECT_TRUE(claimHolds(roles, "~=", "read"));
    EXPECT_TRUE(claimHolds(roles, "~=", "write"));
    EXPECT_TRUE(claimHolds(roles, "~=", "read write"));
    EXPECT_FALSE(claimHolds(roles, "~=", "rea"));
    EXPECT_FALSE(claimHolds(roles, "~=", "Read"));
    EXPECT_FALSE(claimHolds(roles, "~=", ""));
    // Elements are compared whole, not split into words.
    EXPECT_FALSE(claimHolds(R"(["read write"])", "~=", "read"));
    // Only string elements count.
    EXPECT_FALSE(claimHolds("[1,2]", "~=", "1"));
    EXPECT_FALSE(claimHolds("[true]", "~=", "true"));
    EXPECT_FALSE(claimHolds("[null]", "~=", "null"));
    EXPECT_FALSE(claimHolds(R"([["x"]])", "~=", "x"));
    EXPECT_TRUE(claimHolds(R"([1,null,"x"])", "~=", "x"));
    EXPECT_FALSE(claimHolds("[]", "~=", "x"));
    EXPECT_FALSE(claimHolds("[]", "~=", ""));
    // An array holding the empty string holds the empty operand.
    EXPECT_TRUE(claimHolds(R"(["a",""])", "~=", ""));
}

TEST(Rules, ContainsWordInSpaceSeparatedStrings)
{
    // OAuth "scope" (RFC 6749 3.3): words separated by single spaces.
    const std::string scope = R"("openid profile email")";
    EXPECT_TRUE(claimHolds(scope, "~=", "openid"));
    EXPECT_TRUE(claimHolds(scope, "~=", "profile"));
    EXPECT_TRUE(claimHolds(scope, "~=", "email"));
    EXPECT_FALSE(claimHolds(scope, "~=", "open"));
    EXPECT_FALSE(claimHolds(scope, "~=", "id"));
    EXPECT_FALSE(claimHolds(scope, "~=", "mail"));
    EXPECT_FALSE(claimHolds(scope, "~=", "profile email"));
    EXPECT_FALSE(claimHolds(scope, "~=", "Email"));

    // Word boundaries: a prefix or suffix of a word is not the word.
    EXPECT_FALSE(claimHolds(R"("readonly write")", "~=", "read"));
    EXPECT_FALSE(claimHolds(R"("write unread")", "~=", "read"));
    EXPECT_FALSE(claimHolds(R"("read-only")", "~=", "read"));
    EXPECT_FALSE(claimHolds(R"("read:all")", "~=", "read"));
    EXPECT_TRUE(claimHolds(R"("readonly read")", "~=", "read"));
    EXPECT_TRUE(claimHolds(R"("read")", "~=", "read"));
    EXPECT_FALSE(claimHolds(R"("")", "~=", "read"));
    // Only the space separates.
    EXPECT_FALSE(claimHolds(R"("read\twrite")", "~=", "read"));
    EXPECT_FALSE(claimHolds(R"("read,write")", "~=", "read"));
    // Doubled, leading and trailing spaces do not hide a word.
    EXPECT_TRUE(claimHolds(R"("a  read  b")", "~=", "read"));
    EXPECT_TRUE(claimHolds(R"(" read")", "~=", "read"));
    EXPECT_TRUE(claimHolds(R"("read ")", "~=", "read"));
}

TEST(Rules, ContainsWordEmptyOperand)
{
    // The empty string is no word of a single-spaced string.
    EXPECT_FALSE(claimHolds(R"("read write")", "~=", ""));
    EXPECT_FALSE(claimHolds(R"("read")", "~=", ""));
    EXPECT_FALSE(claimHolds(R"("")", "~=", ""));
    EXPECT_FALSE(claimHolds(R"("read ")", "~=", ""));
}

TEST(Rules, ContainsWordEmptyOperandWithExtraSpaces)
{
    EXPECT_FALSE(claimHolds(R"("read  write")", "~=", ""));
    EXPECT_FALSE(claimHolds(R"(" read")", "~=", ""));
    EXPECT_FALSE(claimHolds(R"(" ")", "~=", ""));
}

TEST(Rules, ContainsWordOnOtherTypesIsFalse)
{
    EXPECT_FALSE(claimHolds("5", "~=", "5"));
    EXPECT_FALSE(claimHolds("true", "~=", "true"));
    EXPECT_FALSE(claimHolds("null", "~=", "null"));
    EXPECT_FALSE(claimHolds("null", "~=", ""));
    EXPECT_FALSE(claimHolds(R"({"read":true})", "~=", "read"));
}

// ---------------------------------------------------------------------
// evaluateRule: numeric comparisons

TEST(Rules, NumericComparisons)
{
    EXPECT_TRUE(claimHolds("5", "<", "6"));
    EXPECT_FALSE(claimHolds("5", "<", "5"));
    EXPECT_FALSE(claimHolds("5", "<", "4"));
    EXPECT_TRUE(claimHolds("5", "<=", "6"));
    EXPECT_TRUE(claimHolds("5", "<=", "5"));
    EXPECT_FALSE(claimHolds("5", "<=", "4"));
    EXPECT_FALSE(claimHolds("5", ">", "6"));
    EXPECT_FALSE(claimHolds("5", ">", "5"));
    EXPECT_TRUE(claimHolds("5", ">", "4"));
    EXPECT_FALSE(claimHolds("5", ">=", "6"));
    EXPECT_TRUE(claimHolds("5", ">=", "5"));
    EXPECT_TRUE(claimHolds("5", ">=", "4"));
    EXPECT_TRUE(claimHolds("5", ">=", "5.0"));
    EXPECT_TRUE(claimHolds("1000", ">=", "1e3"));
    EXPECT_FALSE(claimHolds("1000", ">", "1e3"));
}

TEST(Rules, NegativeAndFractionalComparisons)
{
    EXPECT_TRUE(claimHolds("-3", "<", "-2"));
    EXPECT_FALSE(claimHolds("-3", "<", "-4"));
    EXPECT_TRUE(claimHolds("-3", ">", "-4"));
    EXPECT_TRUE(claimHolds("-3", "<", "0"));
    EXPECT_TRUE(claimHolds("-3", "<=", "-3"));
    EXPECT_TRUE(claimHolds("-0.5", ">", "-1"));
    EXPECT_TRUE(claimHolds("1.5", ">", "1.25"));
    EXPECT_FALSE(claimHolds("1.5", "<", "1.25"));
    EXPECT_TRUE(claimHolds("1.5", "<", "2"));
    EXPECT_TRUE(claimHolds("2", ">", "1.999"));
    EXPECT_TRUE(claimHolds("0.1", "<=", "0.1"));
    EXPECT_TRUE(claimHolds("1e308", ">", "1e307"));
    EXPECT_TRUE(claimHolds("-1e308", "<", "-1e307"));
    EXPECT_TRUE(claimHolds("1700000000", ">=", "1600000000"));
}

TEST(Rules, ComparisonsWithNonNumberClaimsAreFalse)
{
    for (const char *claim : {R"("5")", R"("abc")", R"("")", "true",
                              "false", "null", "[5]", "[]", R"({"a":5})"})
    {
        for (const char *op : {"<", "<=", ">", ">="}) {
            EXPECT_FALSE(claimHolds(claim, op, "5")) << claim << op;
            EXPECT_FALSE(claimHolds(claim, op, "-1e308")) << claim << op;
        }
    }
}

TEST(Rules, ComparisonsWithNonNumberOperandsAreFalse)
{
    for (const char *operand : {"", "abc", "5x", "nan", "inf", "-inf",
                                "1e400", "true", "null"})
    {
        for (const char *op : {"<", "<=", ">", ">="}) {
            EXPECT_FALSE(claimHolds("5", op, operand)) << op << operand;
        }
    }
}

TEST(Rules, ComparisonsOnMissingClaimsAreFalse)
{
    for (const char *op : {"<", "<=", ">", ">="}) {
        EXPECT_FALSE(holds(std::string("n") + op + "5", "{}")) << op;
    }
}

// ---------------------------------------------------------------------
// evaluateRule: missing claims and paths

TEST(Rules, MissingClaimOnlySatisfiesNotEqual)
{
    for (const char *payload : {"{}", R"({"other":"x"})", R"({"a":"str"})",
                                R"({"a":null})", R"({"a":[{"b":"x"}]})",
                                R"({"a":{"c":"x"}})", R"({"a":5})"})
    {
        EXPECT_FALSE(holds("a.b", payload)) << payload;
        EXPECT_FALSE(holds("a.b=x", payload)) << payload;
        EXPECT_TRUE(holds("a.b!=x", payload)) << payload;
        EXPECT_TRUE(holds("a.b!=", payload)) << payload;
        EXPECT_TRUE(holds("a.b!=null", payload)) << payload;
        EXPECT_FALSE(holds("a.b=null", payload)) << payload;
        EXPECT_FALSE(holds("a.b=", payload)) << payload;
        EXPECT_FALSE(holds("a.b~=x", payload)) << payload;
        EXPECT_FALSE(holds("a.b~=", payload)) << payload;
        EXPECT_FALSE(holds("a.b<1", payload)) << payload;
        EXPECT_FALSE(holds("a.b>=-1e308", payload)) << payload;
    }
}

TEST(Rules, NestedPaths)
{
    const std::string keycloak =
        R"({"realm_access":{"roles":["offline_access","admin"]},)"
        R"("resource_access":{"api":{"roles":["reader"]}},)"
        R"("org":{"id":42,"name":"Acme","active":true,"parent":null}})";
    EXPECT_TRUE(holds("realm_access.roles~=admin", keycloak));
    EXPECT_TRUE(holds("realm_access.roles=admin", keycloak));
    EXPECT_FALSE(holds("realm_access.roles~=reader", keycloak));
    EXPECT_TRUE(holds("resource_access.api.roles~=reader", keycloak));
    EXPECT_TRUE(holds("org.id=42", keycloak));
    EXPECT_TRUE(holds("org.id>=42", keycloak));
    EXPECT_TRUE(holds("org.name=Acme", keycloak));
    EXPECT_TRUE(holds("org.active=true", keycloak));
    EXPECT_TRUE(holds("org", keycloak));
    EXPECT_TRUE(holds("org.name", keycloak));
    EXPECT_FALSE(holds("org.parent", keycloak));
    EXPECT_TRUE(holds("org.parent=null", keycloak));
    EXPECT_FALSE(holds("org.name.first", keycloak));
    EXPECT_TRUE(holds("org.name.first!=Acme", keycloak));
    EXPECT_FALSE(holds("org=Acme", keycloak));
    // A member whose name holds a dot is out of reach of a path.
    EXPECT_FALSE(holds("a.b=x", R"({"a.b":"x"})"));
}

TEST(Rules, OperandArgumentIsWhatIsCompared)
{
    // The caller passes the operand with its variables expanded; the
    // rule's own operand text is not looked at.
    Rule r = rule("role=$arg_role");
    Json doc = Json::parse(R"({"role":"admin","n":5})");
    ASSERT_TRUE(doc);
    EXPECT_TRUE(evaluateRule(r, doc.get(), "admin"));
    EXPECT_FALSE(evaluateRule(r, doc.get(), "$arg_role"));
    EXPECT_FALSE(evaluateRule(r, doc.get(), ""));

    Rule n = rule("n<$limit");
    EXPECT_TRUE(evaluateRule(n, doc.get(), "6"));
    EXPECT_FALSE(evaluateRule(n, doc.get(), "5"));
    EXPECT_FALSE(evaluateRule(n, doc.get(), "$limit"));

    // The operand is a view: it need not be terminated.
    std::string buffer = "adminXYZ";
    EXPECT_TRUE(evaluateRule(r, doc.get(),
                             std::string_view(buffer.data(), 5)));
}

TEST(Rules, PayloadThatIsNotAnObjectHoldsNoClaims)
{
    Json array = Json::parse(R"(["a"])");
    ASSERT_TRUE(array);
    EXPECT_FALSE(evaluateRule(rule("a"), array.get(), ""));
    EXPECT_FALSE(evaluateRule(rule("a=a"), array.get(), "a"));
    EXPECT_TRUE(evaluateRule(rule("a!=a"), array.get(), "a"));
}

}  // namespace
}  // namespace authjwt
