// Registered claims (RFC 7519 4.1): the time claims "exp", "nbf", "iat",
// and the identity claims "iss" and "aud".
//
//   TimeRules rules;                 // exp required, no leeway
//   Status s = checkTimeClaims(payload.get(), time(nullptr), rules);
//   s = checkIssuer(payload.get(), {"https://idp.example.com/"});
//
// Time is passed in, never read here, so tests need no clock. Times are
// compared as 64-bit integers or doubles, so dates beyond 2038 work.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <jansson.h>

#include "status.hpp"

namespace authjwt {

struct TimeRules {
    bool requireExp = true;
    std::int64_t leewaySeconds = 0;
    // 0: no limit. Otherwise "iat" is required and exp - iat may not
    // exceed it.
    std::int64_t maxLifetimeSeconds = 0;
};

// One NumericDate claim (RFC 7519 2) as found in a payload.
struct TimeClaim {
    enum class Presence { Absent, Number, NotNumber };

    Presence presence = Presence::Absent;
    double value = 0;
};

struct TimeClaims {
    TimeClaim exp;
    TimeClaim nbf;
    TimeClaim iat;
};

// The same checks on claims already extracted.
Status checkTimes(const TimeClaims &claims, std::int64_t now,
                  const TimeRules &rules) noexcept;

// Returns BadTimeClaim, MissingExp, Expired, NotYetValid, IssuedInFuture,
// MissingIat, LifetimeTooLong or Ok, checked in that order. A claim that
// is present but not a JSON number (a string, null, a boolean) is
// BadTimeClaim.
Status checkTimeClaims(const json_t *payload, std::int64_t now,
                       const TimeRules &rules) noexcept;

// "iss" must equal one of issuers (an empty list accepts any): Ok or
// IssuerMismatch.
Status checkIssuer(const json_t *payload,
                   const std::vector<std::string> &issuers) noexcept;

// "aud", a string or an array of strings (RFC 7519 4.1.3), must name one
// of audiences (an empty list accepts any): Ok or AudienceMismatch.
Status checkAudience(const json_t *payload,
                     const std::vector<std::string> &audiences) noexcept;

}  // namespace authjwt
