// A strict single-pass JSON scanner for the request path: it checks a
// document the way Json::parse would, reports the members of the top-level
// object to a sink, and builds no tree.
//
//   class Claims final : public JsonMemberSink {
//       void member(const JsonString &name, const JsonValue &value)
//           noexcept override
//       {
//           if (name.equals("exp") && value.kind == JsonValue::Kind::Number)
//               exp = value.number;
//       }
//   };
//   Claims claims;
//   if (!scanJsonObject(text, claims)) return Status::BadPayload;
//
// It accepts exactly the texts Json::parse accepts as an object: RFC 8259
// syntax, valid UTF-8, no control characters or \u0000 in strings, no
// lone surrogates, integers that fit 64 bits, reals that do not overflow,
// no duplicate member names at any depth, nesting up to kMaxJsonDepth.
// Fuzz targets hold the two to that (fuzz/fuzz_payload.cpp,
// fuzz/fuzz_header.cpp).
//
// Nothing is allocated unless the open objects hold more than 64 member
// names between them, or a number is written with more than 63
// characters.
#pragma once

#include <cstddef>
#include <string_view>

namespace authjwt {

// A string exactly as written between its quotes, already checked by the
// scanner; its value is read through the escapes without a copy.
class JsonString {
public:
    JsonString() noexcept = default;
    JsonString(std::string_view raw, bool escaped) noexcept
        : raw_(raw), escaped_(escaped)
    {
    }

    std::string_view raw() const noexcept { return raw_; }
    // Whether the text holds a backslash escape; if not, raw() is the value.
    bool escaped() const noexcept { return escaped_; }

    // Whether the value equals text; inline, so that comparing an
    // unescaped name with a literal costs no call.
    bool equals(std::string_view text) const noexcept
    {
        return escaped_ ? equalsEscaped(text) : raw_ == text;
    }
    // Orders by the bytes of the values, as memcmp does.
    int compare(const JsonString &other) const noexcept;
    // The length of the value.
    std::size_t size() const noexcept;
    // Writes the value to out, which must hold raw().size() bytes (an
    // escape is never shorter than what it stands for); returns its length.
    std::size_t unescape(char *out) const noexcept;

private:
    bool equalsEscaped(std::string_view text) const noexcept;

    std::string_view raw_;
    bool escaped_ = false;
};

// A member's value as the sink sees it: its kind, and for a string or a
// number, the value.
struct JsonValue {
    enum class Kind { Object, Array, String, Number, Literal };

    Kind kind = Kind::Literal;
    JsonString string;
    double number = 0;
    // a number as written, and whether it is an integer (no fraction, no
    // exponent): what Jansson keeps as an exact 64-bit integer
    std::string_view numberText;
    bool integer = false;
};

// Receives each member of the top-level object once its value has been
// scanned. The scan may still fail after that (a duplicate name, an error
// further on): what a sink collected counts only if scanJsonObject
// returns true. Nested members are not reported.
class JsonMemberSink {
public:
    virtual void member(const JsonString &name,
                        const JsonValue &value) noexcept = 0;

protected:
    ~JsonMemberSink() = default;
};

// Whether text is a JSON object Json::parse accepts. Throws
// std::bad_alloc only when the rare allocation fails.
bool scanJsonObject(std::string_view text, JsonMemberSink &sink);

}  // namespace authjwt
