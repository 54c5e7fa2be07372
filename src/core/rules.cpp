#include "rules.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace authjwt {

namespace {

// Longest first, so that "<=" is not read as "<".
struct OpSpelling {
    const char *text;
    RuleOp op;
};

constexpr OpSpelling kOps[] = {
    {"!=", RuleOp::NotEqual},  {"~=", RuleOp::ContainsWord},
    {"<=", RuleOp::LessEqual}, {">=", RuleOp::GreaterEqual},
    {"=", RuleOp::Equal},      {"<", RuleOp::Less},
    {">", RuleOp::Greater},
};

constexpr std::string_view kOperatorChars = "!~<>=";

bool scalarEquals(const json_t *value, std::string_view operand) noexcept
{
    switch (json_typeof(value)) {
    case JSON_STRING:
        return operand == std::string_view(json_string_value(value),
                                           json_string_length(value));
    case JSON_INTEGER:
    case JSON_REAL: {
        auto number = parseNumber(operand);
        return number && *number == json_number_value(value);
    }
    case JSON_TRUE:
        return operand == "true";
    case JSON_FALSE:
        return operand == "false";
    case JSON_NULL:
        return operand == "null";
    default:
        return false;
    }
}

bool equals(const json_t *claim, std::string_view operand) noexcept
{
    if (!json_is_array(claim)) {
        return scalarEquals(claim, operand);
    }
    std::size_t i;
    const json_t *item;
    json_array_foreach(claim, i, item) {
        if (scalarEquals(item, operand)) {
            return true;
        }
    }
    return false;
}

bool holdsWord(std::string_view text, std::string_view word) noexcept
{
    while (!text.empty()) {
        std::size_t end = text.find(' ');
        if (text.substr(0, end) == word) {
            return true;
        }
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return false;
}

bool containsWord(const json_t *claim, std::string_view word) noexcept
{
    if (json_is_string(claim)) {
        return holdsWord(std::string_view(json_string_value(claim),
                                          json_string_length(claim)),
                         word);
    }
    if (!json_is_array(claim)) {
        return false;
    }
    std::size_t i;
    const json_t *item;
    json_array_foreach(claim, i, item) {
        if (json_is_string(item)
            && word == std::string_view(json_string_value(item),
                                        json_string_length(item)))
        {
            return true;
        }
    }
    return false;
}

bool compareNumbers(RuleOp op, const json_t *claim,
                    std::string_view operand) noexcept
{
    auto bound = parseNumber(operand);
    if (!json_is_number(claim) || !bound) {
        return false;
    }
    double value = json_number_value(claim);
    switch (op) {
    case RuleOp::Less:
        return value < *bound;
    case RuleOp::LessEqual:
        return value <= *bound;
    case RuleOp::Greater:
        return value > *bound;
    case RuleOp::GreaterEqual:
        return value >= *bound;
    default:
        return false;
    }
}

}  // namespace

std::optional<ClaimPath> parseClaimPath(std::string_view text,
                                        std::string &error)
{
    ClaimPath path;
    while (true) {
        std::size_t dot = text.find('.');
        std::string_view segment = text.substr(0, dot);
        if (segment.empty()) {
            error = "empty claim name or path segment";
            return std::nullopt;
        }
        path.segments.emplace_back(segment);
        if (dot == std::string_view::npos) {
            return path;
        }
        text.remove_prefix(dot + 1);
    }
}

std::optional<Rule> parseRule(std::string_view text, std::string &error)
{
    Rule rule;
    std::size_t at = text.find_first_of(kOperatorChars);
    std::string_view name = text.substr(0, at);

    if (at != std::string_view::npos) {
        std::string_view rest = text.substr(at);
        const OpSpelling *found = nullptr;
        for (const OpSpelling &spelling : kOps) {
            if (rest.substr(0, std::string_view(spelling.text).size())
                == spelling.text)
            {
                found = &spelling;
                break;
            }
        }
        if (found == nullptr) {
            error = "unknown operator in rule";
            return std::nullopt;
        }
        rule.op = found->op;
        rule.operand = std::string(
            rest.substr(std::string_view(found->text).size()));
    }

    auto path = parseClaimPath(name, error);
    if (!path) {
        return std::nullopt;
    }
    rule.path = std::move(*path);
    return rule;
}

bool isNumericOp(RuleOp op) noexcept
{
    return op == RuleOp::Less || op == RuleOp::LessEqual
           || op == RuleOp::Greater || op == RuleOp::GreaterEqual;
}

std::optional<double> parseNumber(std::string_view text) noexcept
{
    // strtod needs a terminated string; numbers worth comparing are short.
    char buf[64];
    if (text.empty() || text.size() >= sizeof(buf)) {
        return std::nullopt;
    }
    text.copy(buf, text.size());
    buf[text.size()] = '\0';

    char *end = nullptr;
    errno = 0;
    double value = std::strtod(buf, &end);
    if (end != buf + text.size() || errno != 0 || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

const json_t *findClaim(const json_t *object, const ClaimPath &path) noexcept
{
    const json_t *value = object;
    for (const std::string &segment : path.segments) {
        if (!json_is_object(value)) {
            return nullptr;
        }
        value = json_object_get(value, segment.c_str());
    }
    return value;
}

bool evaluateRule(const Rule &rule, const json_t *payload,
                  std::string_view operand) noexcept
{
    const json_t *claim = findClaim(payload, rule.path);
    if (claim == nullptr) {
        // Only the negation holds for an absent claim.
        return rule.op == RuleOp::NotEqual;
    }
    switch (rule.op) {
    case RuleOp::Present:
        return !json_is_null(claim);
    case RuleOp::Equal:
        return equals(claim, operand);
    case RuleOp::NotEqual:
        return !equals(claim, operand);
    case RuleOp::ContainsWord:
        return containsWord(claim, operand);
    default:
        return compareNumbers(rule.op, claim, operand);
    }
}

}  // namespace authjwt
