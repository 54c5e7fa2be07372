// A strict single-pass check of a verified payload that extracts only the
// time claims, so the request path need not build a Jansson tree when no
// claim is read.
//
//   TimeClaims times;
//   Status s = scanPayload(token.payloadText, times);   // Ok or BadPayload
//   if (s == Status::Ok) s = checkTimes(times, now, rules);
//
// It accepts exactly the texts Json::parse accepts as an object (see
// json_scan.hpp); a fuzz target holds the two to that
// (fuzz/fuzz_payload.cpp).
#pragma once

#include <string_view>

#include "claims.hpp"
#include "status.hpp"

namespace authjwt {

// Ok, BadPayload, or InternalError when memory runs out.
Status scanPayload(std::string_view text, TimeClaims &times) noexcept;

}  // namespace authjwt
