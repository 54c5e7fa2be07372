// libFuzzer target: Json::parse and the two renderings that reach nginx
// variables, jsonValueText ($jwt_claim_*) and jsonCompactText
// ($jwt_payload).
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// Claims end up in headers and logs, so neither rendering may ever hold a
// raw control character or DEL, whatever the JSON held (DESIGN.md,
// "variables"). The compact text must also stay JSON that parses back to
// an equal value, since a backend may parse $jwt_payload again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

void checkNoRawControls(const std::string &text, const char *property)
{
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        fuzzCheck(u >= 0x20 && u != 0x7f, property);
    }
}

void checkRenderings(const json_t *value)
{
    checkNoRawControls(jsonValueText(value),
                       "jsonValueText holds no raw control byte");

    std::string compact = jsonCompactText(value);
    checkNoRawControls(compact, "jsonCompactText holds no raw control byte");

    // Scalars are rendered too (JSON_ENCODE_ANY) but Json::parse takes only
    // objects and arrays, so only those are parsed back.
    if (json_is_object(value) || json_is_array(value)) {
        Json back = Json::parse(compact);
        fuzzCheck(back && json_equal(back.get(), value),
                  "jsonCompactText parses back to an equal value");
        fuzzCheck(jsonCompactText(back.get()) == compact,
                  "jsonCompactText is stable across a round trip");
    }
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view text(reinterpret_cast<const char *>(data), size);
    Json doc = Json::parse(text);
    if (!doc) {
        return 0;
    }
    fuzzCheck(jsonNestingDepth(text) <= kMaxJsonDepth,
              "a parsed document is within the depth bound");

    checkRenderings(doc.get());

    // A payload's claims, or an array's elements, one by one as the
    // variables read them.
    if (json_is_object(doc.get())) {
        const char *name;
        json_t *member;
        json_object_foreach(doc.get(), name, member) {
            checkRenderings(member);
        }
    } else if (json_is_array(doc.get())) {
        std::size_t i;
        json_t *item;
        json_array_foreach(doc.get(), i, item) {
            checkRenderings(item);
        }
    }
    return 0;
}
