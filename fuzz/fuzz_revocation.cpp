// libFuzzer target: revocation lists, parsed and laid out as a table, and
// the reading of "jti" and "sub" from a payload without a tree.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// Lists come from the operator, not from clients, but a worker parses a
// changed file on its own, so no file may crash it; and a list that
// parses must find every entry it names, or a revoked token would pass.
// An input that is also a valid payload must give the same jti and sub
// read by the walk as read from the Jansson tree, or a revoked token
// could pass where no rule or variable happens to build the tree.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/payload_scan.hpp"
#include "core/revocation.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

std::string_view trimBlanks(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// The entries of a text list that parsed, read again the simple way, and
// looked up in the table.
void checkTextEntries(std::string_view text, const RevocationTable &table,
                      RevocationHasher &hasher)
{
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size()
                                                         : end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        line = trimBlanks(line);
        if (line.empty() || line.front() == '#') {
            continue;
        }

        RevokedField field = RevokedField::Jti;
        std::size_t blank = line.find_first_of(" \t");
        if (blank != std::string_view::npos) {
            std::string_view word = line.substr(0, blank);
            field = word == "sub"   ? RevokedField::Sub
                    : word == "kid" ? RevokedField::Kid
                                    : RevokedField::Jti;
            line = trimBlanks(line.substr(blank));
        }

        auto digest = hasher.digest(field, line);
        fuzzCheck(digest.has_value(), "hashing an entry succeeds");
        fuzzCheck(table.contains(*digest), "every entry of a list is found");
        fuzzCheck((table.fields() & revokedBit(field)) != 0,
                  "the table names the field of every entry");
    }
}

void checkPayloadWalk(std::string_view text, RevocationHasher &hasher)
{
    TimeClaims times;
    if (scanPayload(text, times) != Status::Ok) {
        return;
    }
    const unsigned fields = revokedBit(RevokedField::Jti)
                            | revokedBit(RevokedField::Sub);

    VerifiedToken walked;
    walked.token.payloadText = text;
    RevocationKeys byWalk;
    fuzzCheck(revocationKeys(walked, fields, hasher, byWalk) == Status::Ok
                  && !walked.payload,
              "a checked payload is walked without a tree");

    VerifiedToken tree;
    tree.token.payloadText = text;
    fuzzCheck(verifiedPayload(tree) != nullptr,
              "a checked payload builds a tree");
    RevocationKeys byTree;
    fuzzCheck(revocationKeys(tree, fields, hasher, byTree) == Status::Ok,
              "the tree gives its values");

    fuzzCheck(byWalk.present == byTree.present,
              "the walk finds the values the tree holds");
    for (std::size_t i = 0; i < 2; i++) {
        fuzzCheck((byWalk.present & (1u << i)) == 0
                      || byWalk.digests[i] == byTree.digests[i],
                  "the walk reads the values the tree holds");
    }
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view text(reinterpret_cast<const char *>(data), size);
    RevocationHasher hasher;
    RevocationList list;
    std::string error;

    checkPayloadWalk(text, hasher);

    bool ok = parseRevocationList(text, "list", hasher, list, error);
    fuzzCheckErrorQueueEmpty("parseRevocationList");
    if (!ok) {
        fuzzCheck(error.substr(0, 4) == "list" && list.size() == 0,
                  "a refused list says where and keeps nothing");
        return 0;
    }
    fuzzCheck(std::is_sorted(list.digests.begin(), list.digests.end())
                  && std::adjacent_find(list.digests.begin(),
                                        list.digests.end())
                         == list.digests.end(),
              "digests are sorted and unique");

    std::vector<std::uint64_t> image(
        (revocationTableSize(list.size()) + 7) / 8);
    fuzzCheck(writeRevocationTable(list, image.data(), image.size() * 8),
              "a table fits its own size");
    RevocationTable table(image.data(), image.size() * 8);
    fuzzCheck(table.valid() && table.size() == list.size()
                  && table.fields() == list.fields,
              "the table is the list");

    for (std::uint64_t digest : list.digests) {
        fuzzCheck(table.contains(digest), "every digest is found");
        fuzzCheck(table.contains(digest + 1)
                      == std::binary_search(list.digests.begin(),
                                            list.digests.end(), digest + 1),
                  "a digest not listed is not found");
    }

    // the parser's own rule: a JSON list starts with "{", after a BOM
    std::string_view body = text.substr(0, 3) == "\xef\xbb\xbf"
                                ? text.substr(3) : text;
    std::size_t first = body.find_first_not_of(" \t\r\n");
    bool json = first != std::string_view::npos && body[first] == '{';
    if (!json) {
        checkTextEntries(body, table, hasher);
    }
    return 0;
}
