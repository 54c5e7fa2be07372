// libFuzzer target: the auth_jwt_claims grammar and its evaluation.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// Input: the rule text, a newline, the operand as nginx would have
// expanded it, a newline, then the payload JSON. Rules come from the
// configuration, but operands carry request data ($arg_..., $host) and
// payloads come from tokens, so evaluation must hold for any of them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/rules.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

std::string_view nextLine(std::string_view &input)
{
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size()
                                                      : end + 1);
    return line;
}

// Properties that tie the operators to one another.
void checkConsistency(const Rule &rule, const json_t *payload,
                      std::string_view operand)
{
    Rule equal = rule;
    equal.op = RuleOp::Equal;
    Rule notEqual = rule;
    notEqual.op = RuleOp::NotEqual;
    fuzzCheck(evaluateRule(equal, payload, operand)
                  != evaluateRule(notEqual, payload, operand),
              "!= is the negation of =");

    Rule present = rule;
    present.op = RuleOp::Present;
    const json_t *claim = findClaim(payload, rule.path);
    fuzzCheck(evaluateRule(present, payload, operand)
                  == (claim != nullptr && !json_is_null(claim)),
              "a bare name holds exactly when the claim is present");

    Rule less = rule;
    less.op = RuleOp::Less;
    Rule greaterEqual = rule;
    greaterEqual.op = RuleOp::GreaterEqual;
    fuzzCheck(!(evaluateRule(less, payload, operand)
                && evaluateRule(greaterEqual, payload, operand)),
              "< and >= never both hold");
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::string_view ruleText = nextLine(input);
    std::string_view operand = nextLine(input);

    std::string error;
    auto rule = parseRule(ruleText, error);
    fuzzCheck(rule.has_value() || !error.empty(), "a refused rule says why");
    if (!rule) {
        return 0;
    }

    Json payload = Json::parse(input);
    if (!payload) {
        return 0;
    }

    evaluateRule(*rule, payload.get(), operand);
    checkConsistency(*rule, payload.get(), operand);
    return 0;
}
