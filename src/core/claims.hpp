// Registered time claims (RFC 7519 4.1.4, 4.1.5): "exp" and "nbf".
//
//   TimeRules rules;                 // exp required, no leeway
//   Status s = checkTimeClaims(payload.get(), time(nullptr), rules);
//
// Time is passed in, never read here, so tests need no clock. Times are
// compared as 64-bit integers or doubles, so dates beyond 2038 work.
#pragma once

#include <cstdint>

#include <jansson.h>

#include "status.hpp"

namespace authjwt {

struct TimeRules {
    bool requireExp = true;
    std::int64_t leewaySeconds = 0;
};

// Returns MissingExp, BadTimeClaim, Expired, NotYetValid or Ok. A claim
// that is present but not a JSON number (a string, null, a boolean) is
// BadTimeClaim. An "iat" is only checked for type.
Status checkTimeClaims(const json_t *payload, std::int64_t now,
                       const TimeRules &rules) noexcept;

}  // namespace authjwt
