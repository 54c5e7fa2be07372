// The scanner behind scanPayload and scanHeader: what a sink is told, and
// how strings are read through their escapes. Acceptance itself is pinned
// in payload_scan_test.cpp and header_scan_test.cpp, and fuzzed against
// Jansson.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json_scan.hpp"

namespace authjwt {
namespace {

// Records every member a scan reports.
class Recorder final : public JsonMemberSink {
public:
    struct Member {
        std::string name;
        JsonValue::Kind kind;
        std::string string;
        double number;
    };

    void member(const JsonString &name,
                const JsonValue &value) noexcept override
    {
        members.push_back({unescaped(name), value.kind,
                           value.kind == JsonValue::Kind::String
                               ? unescaped(value.string)
                               : std::string(),
                           value.number});
    }

    static std::string unescaped(const JsonString &s)
    {
        std::string out(s.raw().size(), '\0');
        out.resize(s.unescape(out.data()));
        return out;
    }

    std::vector<Member> members;
};

TEST(JsonScan, ReportsTopLevelMembersInOrderWithTheirKinds)
{
    Recorder sink;
    ASSERT_TRUE(scanJsonObject(
        R"({"s":"a\tb","n":-1.5e2,"o":{"inner":1},"a":[{"x":2}],)"
        R"("t":true,"f":false,"z":null})",
        sink));
    ASSERT_EQ(sink.members.size(), 7u);
    const char *names[] = {"s", "n", "o", "a", "t", "f", "z"};
    JsonValue::Kind kinds[] = {
        JsonValue::Kind::String, JsonValue::Kind::Number,
        JsonValue::Kind::Object, JsonValue::Kind::Array,
        JsonValue::Kind::Literal, JsonValue::Kind::Literal,
        JsonValue::Kind::Literal,
    };
    for (std::size_t i = 0; i < 7; i++) {
        EXPECT_EQ(sink.members[i].name, names[i]);
        EXPECT_EQ(sink.members[i].kind, kinds[i]) << names[i];
    }
    EXPECT_EQ(sink.members[0].string, "a\tb");
    EXPECT_EQ(sink.members[1].number, -150);
}

TEST(JsonScan, ARefusedDocumentMayHaveReportedMembers)
{
    // The sink is told as the scan goes: a verdict of false voids it.
    Recorder sink;
    EXPECT_FALSE(scanJsonObject(R"({"a":1,"a":2})", sink));
    EXPECT_FALSE(scanJsonObject(R"({"a":1,)", sink));
    EXPECT_FALSE(scanJsonObject(R"([{"a":1}])", sink));
    EXPECT_FALSE(scanJsonObject("", sink));
}

// Takes the value of a document's last member.
class LastValue final : public JsonMemberSink {
public:
    explicit LastValue(JsonString &out) : out_(out) {}

    void member(const JsonString &, const JsonValue &value) noexcept override
    {
        out_ = value.string;
    }

private:
    JsonString &out_;
};

// The string value of the only member of a document, kept with the
// document it points into.
class Scanned {
public:
    explicit Scanned(std::string document) : document_(std::move(document))
    {
        LastValue sink(string);
        EXPECT_TRUE(scanJsonObject(document_, sink)) << document_;
    }
    // {"k":json}
    explicit Scanned(const char *json)
        : Scanned(std::string(R"({"k":)") + json + "}")
    {
    }
    Scanned(const Scanned &) = delete;
    Scanned &operator=(const Scanned &) = delete;

    const std::string &document() const { return document_; }

    JsonString string;

private:
    std::string document_;
};

TEST(JsonScan, StringsWithoutEscapesAreTheirRawText)
{
    Scanned scanned(std::string(R"({"k":"plain text"})"));
    const JsonString &s = scanned.string;
    EXPECT_FALSE(s.escaped());
    EXPECT_EQ(s.raw(), "plain text");
    EXPECT_EQ(s.raw().data(), scanned.document().data() + 6)
        << "a view, not a copy";
    EXPECT_TRUE(s.equals("plain text"));
    EXPECT_FALSE(s.equals("plain tex"));
    EXPECT_FALSE(s.equals("plain text!"));
}

TEST(JsonScan, EscapesAreReadAsWhatTheyStandFor)
{
    struct Case {
        const char *json;
        std::string value;
    };
    const Case cases[] = {
        {R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t"},
        {R"("\u0041\u00e9\u20AC")", "A\xc3\xa9\xe2\x82\xac"},
        {R"("\ud83d\ude00!")", "\xf0\x9f\x98\x80!"},
        {R"("a\u0001b")", std::string("a\x01" "b")},
    };
    for (const Case &c : cases) {
        Scanned scanned(c.json);
        const JsonString &s = scanned.string;
        EXPECT_TRUE(s.escaped()) << c.json;
        EXPECT_TRUE(s.equals(c.value)) << c.json;
        EXPECT_FALSE(s.equals(c.value + "x")) << c.json;
        EXPECT_FALSE(s.equals(c.value.substr(1))) << c.json;
        EXPECT_EQ(Recorder::unescaped(s), c.value) << c.json;
        EXPECT_LT(c.value.size(), s.raw().size()) << c.json;
    }
}

TEST(JsonScan, ComparisonOrdersByValueBytes)
{
    auto cmp = [](const char *a, const char *b) {
        Scanned x(a);
        Scanned y(b);
        return x.string.compare(y.string);
    };
    EXPECT_EQ(cmp(R"("abc")", R"("abc")"), 0);
    EXPECT_EQ(cmp(R"("a\u0062c")", R"("abc")"), 0);
    EXPECT_EQ(cmp(R"("abc")", R"("\u0061bc")"), 0);
    EXPECT_LT(cmp(R"("ab")", R"("a\u0062c")"), 0);
    EXPECT_GT(cmp(R"("a\u0062c")", R"("ab")"), 0);
    EXPECT_LT(cmp(R"("a")", R"("\u00e9")"), 0);
    // Bytes compare unsigned, as in the unescaped fast path.
    EXPECT_GT(cmp(R"("\u00e9")", R"("z")"), 0);
    EXPECT_GT(cmp("\"\xc3\xa9\"", R"("z")"), 0);
    EXPECT_EQ(cmp("\"\xc3\xa9\"", R"("\u00e9")"), 0);
}

}  // namespace
}  // namespace authjwt
