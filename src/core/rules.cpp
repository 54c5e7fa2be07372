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

template <typename Number>
bool compare(RuleOp op, Number value, Number bound) noexcept
{
    switch (op) {
    case RuleOp::Equal:
        return value == bound;
    case RuleOp::Less:
        return value < bound;
    case RuleOp::LessEqual:
        return value <= bound;
    case RuleOp::Greater:
        return value > bound;
    case RuleOp::GreaterEqual:
        return value >= bound;
    default:
        return false;
    }
}

// Integers compare exactly (a double cannot tell 2^53 from 2^53 + 1);
// anything else as doubles.
bool compareNumbers(RuleOp op, const json_t *claim,
                    std::string_view operand) noexcept
{
    if (json_is_integer(claim)) {
        if (auto bound = parseInteger(operand)) {
            return compare<long long>(op, json_integer_value(claim), *bound);
        }
    }
    auto bound = parseNumber(operand);
    if (!json_is_number(claim) || !bound) {
        return false;
    }
    return compare(op, json_number_value(claim), *bound);
}

bool scalarEquals(const json_t *value, std::string_view operand) noexcept
{
    switch (json_typeof(value)) {
    case JSON_STRING:
        return operand == std::string_view(json_string_value(value),
                                           json_string_length(value));
    case JSON_INTEGER:
    case JSON_REAL:
        return compareNumbers(RuleOp::Equal, value, operand);
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
    // an empty word would match between two spaces
    if (word.empty()) {
        return false;
    }
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

namespace {

// RFC 8259 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? ; strtod alone
// would also take hexadecimal, "inf", leading spaces and "+1".
bool isJsonNumber(std::string_view text, bool &integer) noexcept
{
    std::size_t i = 0;
    auto digits = [&]() {
        std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            i++;
        }
        return i - start;
    };

    if (i < text.size() && text[i] == '-') {
        i++;
    }
    std::size_t intStart = i;
    std::size_t intDigits = digits();
    if (intDigits == 0 || (intDigits > 1 && text[intStart] == '0')) {
        return false;
    }
    integer = true;
    if (i < text.size() && text[i] == '.') {
        i++;
        integer = false;
        if (digits() == 0) {
            return false;
        }
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        integer = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            i++;
        }
        if (digits() == 0) {
            return false;
        }
    }
    return i == text.size();
}

// Copies text into buf, terminated, for the C conversion functions.
bool terminated(std::string_view text, char *buf, std::size_t size) noexcept
{
    if (text.size() >= size) {
        return false;
    }
    text.copy(buf, text.size());
    buf[text.size()] = '\0';
    return true;
}

}  // namespace

std::optional<double> parseNumber(std::string_view text) noexcept
{
    bool integer = false;
    char buf[64];
    if (!isJsonNumber(text, integer) || !terminated(text, buf, sizeof(buf))) {
        return std::nullopt;
    }
    // Underflow to a tiny or zero value is fine; overflow is not.
    double value = std::strtod(buf, nullptr);
    if (!std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<long long> parseInteger(std::string_view text) noexcept
{
    bool integer = false;
    char buf[32];
    if (!isJsonNumber(text, integer) || !integer
        || !terminated(text, buf, sizeof(buf)))
    {
        return std::nullopt;
    }
    errno = 0;
    long long value = std::strtoll(buf, nullptr, 10);
    if (errno != 0) {
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
