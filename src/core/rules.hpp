// Claim rules: the grammar of auth_jwt_claims, compiled once at
// configuration time and evaluated against a verified payload.
//
//   std::string error;
//   std::optional<Rule> rule = parseRule("realm_access.roles~=admin", error);
//   // per request, with the operand's nginx variables already expanded:
//   bool ok = evaluateRule(*rule, payload.get(), "admin");
//
// Forms (NAME is a claim, or a dotted path into nested objects):
//   NAME          the claim is present and not null
//   NAME=VALUE    equal; a string compares as text, a number, boolean or
//                 null as that JSON value; an array holds VALUE (RFC 7519
//                 "aud" semantics)
//   NAME!=VALUE   the negation of NAME=VALUE (true when NAME is absent)
//   NAME~=VALUE   an array holds the string VALUE, or a string holds it as
//                 a space-separated word (OAuth "scope")
//   NAME<VALUE NAME<=VALUE NAME>VALUE NAME>=VALUE
//                 numeric comparisons; false unless the claim is a number
//                 and VALUE is one
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <jansson.h>

namespace authjwt {

enum class RuleOp {
    Present,
    Equal,
    NotEqual,
    ContainsWord,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
};

struct ClaimPath {
    std::vector<std::string> segments;
};

struct Rule {
    ClaimPath path;
    RuleOp op = RuleOp::Present;
    // VALUE as written; the caller expands variables in it.
    std::string operand;
};

// Splits "a.b.c" into its segments; fails on an empty segment.
std::optional<ClaimPath> parseClaimPath(std::string_view text,
                                        std::string &error);

std::optional<Rule> parseRule(std::string_view text, std::string &error);

// Whether op compares numbers, so that a constant operand can be checked
// when the configuration is loaded.
bool isNumericOp(RuleOp op) noexcept;

// Parses a whole string as a finite number in JSON syntax (RFC 8259 6).
std::optional<double> parseNumber(std::string_view text) noexcept;

// The same for an integer (no fraction, no exponent) that fits 64 bits.
std::optional<long long> parseInteger(std::string_view text) noexcept;

// The value at path in object, or null when any segment is missing or
// crosses a non-object.
const json_t *findClaim(const json_t *object, const ClaimPath &path) noexcept;

bool evaluateRule(const Rule &rule, const json_t *payload,
                  std::string_view operand) noexcept;

}  // namespace authjwt
