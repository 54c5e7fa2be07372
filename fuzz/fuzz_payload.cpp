// libFuzzer target: scanPayload against Jansson, the parser it stands in
// for on the request path.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// The scanner must accept exactly what Json::parse accepts as an object,
// and extract the same exp, nbf and iat: a payload one of them accepts
// and the other refuses would let variables or rules see another token
// than the verdict did.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/json.hpp"
#include "core/payload_scan.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

TimeClaim fromJansson(const json_t *payload, const char *name)
{
    TimeClaim claim;
    const json_t *value = json_object_get(payload, name);
    if (value == nullptr) {
        return claim;
    }
    claim.presence = json_is_number(value) ? TimeClaim::Presence::Number
                                           : TimeClaim::Presence::NotNumber;
    if (json_is_number(value)) {
        claim.value = json_number_value(value);
    }
    return claim;
}

void checkSame(const TimeClaim &scanned, const TimeClaim &parsed,
               const char *property)
{
    fuzzCheck(scanned.presence == parsed.presence, property);
    if (parsed.presence == TimeClaim::Presence::Number) {
        fuzzCheck(std::memcmp(&scanned.value, &parsed.value,
                              sizeof(double)) == 0
                      || scanned.value == parsed.value,
                  property);
    }
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view text(reinterpret_cast<const char *>(data), size);
    Json parsed = Json::parse(text);
    bool janssonAccepts = parsed && json_is_object(parsed.get());

    TimeClaims times;
    Status scanned = scanPayload(text, times);
    fuzzCheck(scanned != Status::InternalError, "no allocation failure");
    fuzzCheck((scanned == Status::Ok) == janssonAccepts,
              "the scanner accepts exactly what Jansson accepts");

    if (janssonAccepts) {
        checkSame(times.exp, fromJansson(parsed.get(), "exp"), "same exp");
        checkSame(times.nbf, fromJansson(parsed.get(), "nbf"), "same nbf");
        checkSame(times.iat, fromJansson(parsed.get(), "iat"), "same iat");
    }
    return 0;
}
