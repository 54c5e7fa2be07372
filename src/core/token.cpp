#include "token.hpp"

#include "base64url.hpp"
#include "header_scan.hpp"

namespace authjwt {

namespace {

struct Parts {
    std::string_view header;
    std::string_view payload;
    std::string_view signature;
};

// Exactly three non-empty-header parts separated by two dots; an empty
// signature is allowed here and fails later as a bad signature, so that
// an unsigned token is reported by its algorithm, not its shape.
bool splitCompact(std::string_view compact, Parts &parts) noexcept
{
    std::size_t first = compact.find('.');
    if (first == std::string_view::npos) {
        return false;
    }
    std::size_t second = compact.find('.', first + 1);
    if (second == std::string_view::npos
        || compact.find('.', second + 1) != std::string_view::npos)
    {
        return false;
    }
    parts.header = compact.substr(0, first);
    parts.payload = compact.substr(first + 1, second - first - 1);
    parts.signature = compact.substr(second + 1);
    return !parts.header.empty();
}

}  // namespace

Status parseCompact(std::string_view compact, std::size_t maxSize,
                    unsigned char *scratch, std::size_t scratchSize,
                    Token &out) noexcept
{
    // Nothing of an earlier token may survive in out, least of all its
    // header tree.
    out = Token();

    if (compact.empty()) {
        return Status::Missing;
    }
    if (compact.size() > maxSize) {
        return Status::TooLarge;
    }
    if (scratchSize < tokenScratchSize(compact.size())) {
        return Status::InternalError;
    }

    Parts parts;
    if (!splitCompact(compact, parts)) {
        return Status::Malformed;
    }
    out.signingInput = compact.substr(
        0, parts.header.size() + 1 + parts.payload.size());

    // The scratch holds, in this order, the decoded header, the unescaped
    // "alg" and "kid" if they were written with escapes, the signature,
    // and the payload.
    auto headerSize = decodeBase64Url(parts.header, scratch, scratchSize);
    if (!headerSize) {
        return Status::Malformed;
    }
    out.headerText = std::string_view(reinterpret_cast<const char *>(scratch),
                                      *headerSize);
    JoseHeader header;
    Status status = scanHeader(
        out.headerText, reinterpret_cast<char *>(scratch) + *headerSize,
        scratchSize - *headerSize, header);
    if (status != Status::Ok) {
        return status;
    }
    out.algName = header.alg;
    out.alg = algFromName(header.alg);
    out.kid = header.kid;

    std::size_t used = *headerSize + header.bufferUsed;
    auto signatureSize = decodeBase64Url(parts.signature, scratch + used,
                                         scratchSize - used);
    if (!signatureSize) {
        return Status::Malformed;
    }
    out.signature = scratch + used;
    out.signatureSize = *signatureSize;
    used += *signatureSize;

    // The payload is only decoded here, so that a malformed token is
    // reported as such; its JSON is not looked at before the signature
    // holds.
    unsigned char *payload = scratch + used;
    auto payloadSize = decodeBase64Url(parts.payload, payload,
                                       scratchSize - used);
    if (!payloadSize) {
        return Status::Malformed;
    }
    out.payloadText = std::string_view(reinterpret_cast<char *>(payload),
                                       *payloadSize);
    return Status::Ok;
}

const json_t *parsedHeader(Token &token) noexcept
{
    if (!token.headerTree) {
        Json parsed = Json::parse(token.headerText);
        if (json_is_object(parsed.get())) {
            token.headerTree = std::move(parsed);
        }
    }
    return token.headerTree.get();
}

Status parsePayload(const Token &token, Json &payload) noexcept
{
    payload = Json::parse(token.payloadText);
    if (!json_is_object(payload.get())) {
        return Status::BadPayload;
    }
    return Status::Ok;
}

}  // namespace authjwt
