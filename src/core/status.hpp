// The verdict of one verification step.
//
//   Status s = parseCompact(bytes, limits, scratch, token);
//   if (s != Status::Ok) {
//       log(statusPhrase(s));           // "token has expired"
//       setVariable(statusCode(s));     // "expired", stable, documented
//   }
//
// Every rejection has its own value, so the log and $jwt_result say exactly
// why a token was refused. The codes are part of the public interface (they
// end up in operators' maps and log formats): never rename one.
#pragma once

namespace authjwt {

enum class Status {
    Ok,
    // No token in any configured source.
    Missing,
    // The token is longer than the configured maximum.
    TooLarge,
    // Not three base64url parts, bad characters, padding, or
    // non-canonical trailing bits.
    Malformed,
    // The header is not a JSON object, has duplicate or malformed members,
    // lacks "alg", or carries a "kid" that is not a string.
    BadHeader,
    // RFC 7515 4.1.11: the header names critical extensions; none is
    // understood here, so the token must be refused.
    UnsupportedCrit,
    // "alg" is none, unknown, or not in the allowlist for this location.
    AlgNotAllowed,
    // The token names a "kid" that no configured key carries.
    UnknownKid,
    // No configured key may verify this algorithm (or the key selected by
    // "kid" is bound to another algorithm).
    NoKey,
    // The signature does not verify, or has the wrong length or encoding.
    BadSignature,
    // The verified payload is not a JSON object or has duplicate claims.
    BadPayload,
    // "exp" is required and absent.
    MissingExp,
    // "exp", "nbf" or "iat" is present but not a number.
    BadTimeClaim,
    // now >= exp + leeway (RFC 7519 4.1.4: not on or after exp).
    Expired,
    // now < nbf - leeway.
    NotYetValid,
    // iat > now + leeway: issued in the future.
    IssuedInFuture,
    // A maximum lifetime is configured and the token has no "iat".
    MissingIat,
    // exp - iat exceeds the configured maximum lifetime.
    LifetimeTooLong,
    // "iss" is absent or none of the configured issuers.
    IssuerMismatch,
    // "aud" is absent or names none of the configured audiences.
    AudienceMismatch,
    // The token is valid but an auth_jwt_claims rule does not hold.
    ClaimRuleFailed,
    // The token is valid (or absent) but an auth_jwt_require value is
    // empty or "0".
    RequireFailed,
    // The token verified, but its "jti", "sub" or "kid" is on the
    // revocation list (auth_jwt_revoke).
    Revoked,
    // The keys come from a key request (auth_jwt_key_request, discovery)
    // and none has been fetched yet, or the last fetch failed with no
    // earlier keys to fall back on.
    KeysUnavailable,
    // An allocation or library failure: never the token's fault.
    InternalError,
};

// The stable code exposed as $jwt_result ("ok", "expired", ...).
const char *statusCode(Status status) noexcept;

// A short lowercase phrase for the error log ("token has expired").
const char *statusPhrase(Status status) noexcept;

// Whether a token was presented at all, which decides RFC 6750's
// error="invalid_token" in WWW-Authenticate.
inline bool tokenWasPresented(Status status) noexcept
{
    return status != Status::Missing;
}

}  // namespace authjwt
