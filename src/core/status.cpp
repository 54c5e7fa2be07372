#include "status.hpp"

namespace authjwt {

namespace {

struct StatusText {
    const char *code;
    const char *phrase;
};

StatusText statusText(Status status) noexcept
{
    switch (status) {
    case Status::Ok:
        return {"ok", "token accepted"};
    case Status::Missing:
        return {"missing", "no token was provided"};
    case Status::TooLarge:
        return {"too_large", "token exceeds the maximum size"};
    case Status::Malformed:
        return {"malformed", "token is not a well-formed compact JWS"};
    case Status::BadHeader:
        return {"bad_header", "token header is invalid"};
    case Status::UnsupportedCrit:
        return {"unsupported_crit",
                "token header lists critical extensions"};
    case Status::AlgNotAllowed:
        return {"alg_not_allowed", "token algorithm is not allowed"};
    case Status::UnknownKid:
        return {"unknown_kid", "token key id matches no configured key"};
    case Status::NoKey:
        return {"no_key", "no configured key can verify the token algorithm"};
    case Status::BadSignature:
        return {"bad_signature", "token signature is invalid"};
    case Status::BadPayload:
        return {"bad_payload", "token payload is not a valid JSON object"};
    case Status::MissingExp:
        return {"missing_exp", "token has no \"exp\" claim"};
    case Status::BadTimeClaim:
        return {"bad_time_claim", "token time claim is not a number"};
    case Status::Expired:
        return {"expired", "token has expired"};
    case Status::NotYetValid:
        return {"not_yet_valid", "token is not yet valid"};
    case Status::IssuedInFuture:
        return {"iat_in_future", "token was issued in the future"};
    case Status::MissingIat:
        return {"missing_iat", "token has no \"iat\" claim"};
    case Status::LifetimeTooLong:
        return {"lifetime_too_long", "token lifetime exceeds the maximum"};
    case Status::IssuerMismatch:
        return {"issuer_mismatch", "token issuer is not accepted"};
    case Status::AudienceMismatch:
        return {"audience_mismatch", "token audience is not accepted"};
    case Status::ClaimRuleFailed:
        return {"claim_rule_failed", "token claims do not satisfy a rule"};
    case Status::RequireFailed:
        return {"require_failed", "a required value is empty or \"0\""};
    case Status::Revoked:
        return {"revoked", "token has been revoked"};
    case Status::KeysUnavailable:
        return {"keys_unavailable", "no keys could be fetched yet"};
    case Status::InternalError:
        return {"internal_error", "internal error while verifying token"};
    }
    return {"internal_error", "unknown status"};
}

}  // namespace

const char *statusCode(Status status) noexcept
{
    return statusText(status).code;
}

const char *statusPhrase(Status status) noexcept
{
    return statusText(status).phrase;
}

}  // namespace authjwt
