#include "claims.hpp"

#include <cmath>
#include <string_view>

namespace authjwt {

namespace {

using Presence = TimeClaim::Presence;

// RFC 7519 2: a NumericDate is a JSON number, possibly non-integer.
TimeClaim numericDate(const json_t *payload, const char *name) noexcept
{
    TimeClaim claim;
    const json_t *value = json_object_get(payload, name);
    if (value == nullptr) {
        return claim;
    }
    claim.presence = Presence::NotNumber;
    if (json_is_number(value)) {
        claim.value = json_number_value(value);
        // Jansson refuses overflowing literals, but stay safe if that
        // changes.
        if (std::isfinite(claim.value)) {
            claim.presence = Presence::Number;
        }
    }
    return claim;
}

}  // namespace

Status checkTimeClaims(const json_t *payload, std::int64_t now,
                       const TimeRules &rules) noexcept
{
    TimeClaims claims;
    claims.exp = numericDate(payload, "exp");
    claims.nbf = numericDate(payload, "nbf");
    claims.iat = numericDate(payload, "iat");
    return checkTimes(claims, now, rules);
}

Status checkTimes(const TimeClaims &claims, std::int64_t now,
                  const TimeRules &rules) noexcept
{
    Presence hasExp = claims.exp.presence;
    Presence hasNbf = claims.nbf.presence;
    Presence hasIat = claims.iat.presence;
    double exp = claims.exp.value;
    double nbf = claims.nbf.value;
    double iat = claims.iat.value;

    if (hasExp == Presence::NotNumber || hasNbf == Presence::NotNumber
        || hasIat == Presence::NotNumber)
    {
        return Status::BadTimeClaim;
    }
    if (hasExp == Presence::Absent && rules.requireExp) {
        return Status::MissingExp;
    }

    // Doubles hold every second up to 2^53, far past any real date, and
    // compare correctly with absurd values such as 1e308 or -1e308.
    double current = static_cast<double>(now);
    double leeway = static_cast<double>(rules.leewaySeconds);
    // RFC 7519 4.1.4: the token must not be accepted on or after exp.
    if (hasExp == Presence::Number && current >= exp + leeway) {
        return Status::Expired;
    }
    if (hasNbf == Presence::Number && current < nbf - leeway) {
        return Status::NotYetValid;
    }
    if (hasIat == Presence::Number && iat > current + leeway) {
        return Status::IssuedInFuture;
    }
    if (rules.maxLifetimeSeconds > 0) {
        if (hasIat == Presence::Absent) {
            return Status::MissingIat;
        }
        if (hasExp == Presence::Absent
            || exp - iat > static_cast<double>(rules.maxLifetimeSeconds))
        {
            return Status::LifetimeTooLong;
        }
    }
    return Status::Ok;
}

namespace {

bool isOneOf(const json_t *value,
             const std::vector<std::string> &accepted) noexcept
{
    if (!json_is_string(value)) {
        return false;
    }
    std::string_view text(json_string_value(value), json_string_length(value));
    for (const std::string &candidate : accepted) {
        if (text == candidate) {
            return true;
        }
    }
    return false;
}

}  // namespace

Status checkIssuer(const json_t *payload,
                   const std::vector<std::string> &issuers) noexcept
{
    if (issuers.empty()
        || isOneOf(json_object_get(payload, "iss"), issuers))
    {
        return Status::Ok;
    }
    return Status::IssuerMismatch;
}

Status checkAudience(const json_t *payload,
                     const std::vector<std::string> &audiences) noexcept
{
    if (audiences.empty()) {
        return Status::Ok;
    }
    const json_t *aud = json_object_get(payload, "aud");
    if (json_is_array(aud)) {
        std::size_t i;
        const json_t *item;
        json_array_foreach(aud, i, item) {
            if (isOneOf(item, audiences)) {
                return Status::Ok;
            }
        }
        return Status::AudienceMismatch;
    }
    return isOneOf(aud, audiences) ? Status::Ok : Status::AudienceMismatch;
}

}  // namespace authjwt
