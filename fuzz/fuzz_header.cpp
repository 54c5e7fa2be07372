// libFuzzer target: scanHeader against Jansson, the parser it stands in
// for on the request path, and parseCompact around it.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// The input is a decoded JOSE header. The scanner must give it the status
// the Jansson path gives (Json::parse, "alg" a string, "kid" a string if
// present, "crit" refused), and the same "alg" and "kid" byte for byte: a
// header the two read differently would let the verifier pick a key or an
// algorithm by another header than a variable shows. Wrapped in a token,
// the header must come out of parseCompact the same, within the scratch
// size it documents, and parsedHeader() must build its tree.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/header_scan.hpp"
#include "core/json.hpp"
#include "core/token.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

// The header check as it was done on a Jansson tree.
struct Reference {
    Status status = Status::BadHeader;
    std::string_view alg;
    std::optional<std::string_view> kid;
};

// The views point into tree.
Reference reference(std::string_view text, Json &tree)
{
    Reference out;
    tree = Json::parse(text);
    if (!json_is_object(tree.get())
        || !jsonStringMember(tree.get(), "alg", out.alg))
    {
        return out;
    }
    if (json_object_get(tree.get(), "kid") != nullptr) {
        std::string_view kid;
        if (!jsonStringMember(tree.get(), "kid", kid)) {
            return out;
        }
        out.kid = kid;
    }
    out.status = json_object_get(tree.get(), "crit") != nullptr
                     ? Status::UnsupportedCrit
                     : Status::Ok;
    return out;
}

void checkSameFields(std::string_view alg,
                     const std::optional<std::string_view> &kid,
                     const Reference &expected, const char *property)
{
    fuzzCheck(alg == expected.alg, property);
    fuzzCheck(kid.has_value() == expected.kid.has_value(), property);
    fuzzCheck(!kid || *kid == *expected.kid, property);
}

// The header inside a token: the same verdict and fields from
// parseCompact, in exactly the scratch it asks for.
void checkInToken(std::string_view text, const Reference &expected)
{
    std::string compact = encodeBase64Url(text) + ".e30.c2ln";
    if (compact.size() > kDefaultMaxTokenSize) {
        return;
    }
    std::vector<unsigned char> scratch(tokenScratchSize(compact.size()));
    Token token;
    Status status = parseCompact(compact, kDefaultMaxTokenSize,
                                 scratch.data(), scratch.size(), token);
    // an empty header is an empty first part: no token's shape
    Status want = text.empty() ? Status::Malformed : expected.status;
    fuzzCheck(status == want,
              "parseCompact gives the header the scanner's status");
    if (status != Status::Ok) {
        return;
    }
    checkSameFields(token.algName, token.kid, expected,
                    "parseCompact extracts the same alg and kid");
    fuzzCheck(token.headerText == text, "headerText is the header");
    fuzzCheck(token.payloadText == "{}" && token.signatureSize == 3,
              "the payload and signature follow the header intact");
    const json_t *tree = parsedHeader(token);
    fuzzCheck(json_is_object(tree), "an accepted header parses into a tree");
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view text(reinterpret_cast<const char *>(data), size);
    Json tree;
    Reference expected = reference(text, tree);

    // Exactly as much buffer as documented, so ASan sees any overrun.
    std::vector<char> buffer(size);
    JoseHeader header;
    Status status = scanHeader(text, buffer.data(), buffer.size(), header);
    fuzzCheck(status != Status::InternalError, "no allocation failure");
    fuzzCheck(status == expected.status,
              "the scanner gives the status the Jansson path gives");
    if (status == Status::Ok) {
        checkSameFields(header.alg, header.kid, expected,
                        "the scanner extracts Jansson's alg and kid");
        fuzzCheck(header.bufferUsed <= size,
                  "unescaped values fit in the header's size");
    }
    checkInToken(text, expected);
    return 0;
}
