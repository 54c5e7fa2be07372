// A small owning handle around a Jansson value.
//
//   Json doc = Json::parse(bytes, kMaxJsonDepth);
//   if (!doc || !json_is_object(doc.get())) return Status::BadHeader;
//   json_t *alg = json_object_get(doc.get(), "alg");
//
// Parsing is strict: duplicate object keys are refused (Jansson keeps the
// last one otherwise, so two parsers could disagree about a claim), NUL in
// strings and raw NUL bytes are refused, and nesting deeper than maxDepth
// is refused before Jansson's recursive parser sees the text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <jansson.h>

namespace authjwt {

constexpr std::size_t kMaxJsonDepth = 32;

class Json {
public:
    Json() noexcept = default;
    // Takes over one reference.
    explicit Json(json_t *value) noexcept : value_(value) {}
    Json(const Json &other) noexcept : value_(json_incref(other.value_)) {}
    Json(Json &&other) noexcept : value_(other.value_)
    {
        other.value_ = nullptr;
    }
    Json &operator=(Json other) noexcept
    {
        std::swap(value_, other.value_);
        return *this;
    }
    ~Json() { json_decref(value_); }

    // Returns an empty handle on any syntax error, duplicate key, or
    // nesting beyond maxDepth.
    static Json parse(std::string_view text,
                      std::size_t maxDepth = kMaxJsonDepth) noexcept;

    json_t *get() const noexcept { return value_; }
    explicit operator bool() const noexcept { return value_ != nullptr; }

private:
    json_t *value_ = nullptr;
};

// The deepest nesting of objects and arrays in text, counting brackets
// outside strings; a cheap guard run before the recursive parser.
std::size_t jsonNestingDepth(std::string_view text) noexcept;

// A member of an object as a string view; false when the member is absent
// or not a string.
bool jsonStringMember(const json_t *object, const char *name,
                      std::string_view &out) noexcept;

// The member whose name equals name ignoring ASCII case, or null when none
// or more than one does: nginx lowercases variable names, so this is how
// $jwt_claim_userId finds "userId" without ever picking between "userId"
// and "userid".
const json_t *jsonMemberIgnoringCase(const json_t *object,
                                     std::string_view name) noexcept;

// The textual form used for variables: strings raw, numbers, booleans and
// null as JSON text, arrays as their elements joined by ",", objects as
// compact JSON. Control characters are escaped as \u00XX, so a claim can
// never smuggle CR or LF into a header.
std::string jsonValueText(const json_t *value);

// Compact JSON text with control characters escaped.
std::string jsonCompactText(const json_t *value);

}  // namespace authjwt
