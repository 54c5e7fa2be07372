#include "token.hpp"

#include "base64url.hpp"

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

// RFC 7515 4.1.11: every extension named in "crit" must be understood,
// and this implementation understands none.
bool hasCrit(const json_t *header) noexcept
{
    return json_object_get(header, "crit") != nullptr;
}

Status parseHeader(std::string_view text, Token &out) noexcept
{
    out.header = Json::parse(text);
    const json_t *header = out.header.get();
    if (!json_is_object(header)) {
        return Status::BadHeader;
    }
    if (!jsonStringMember(header, "alg", out.algName)) {
        return Status::BadHeader;
    }
    out.alg = algFromName(out.algName);

    const json_t *kid = json_object_get(header, "kid");
    if (kid != nullptr) {
        std::string_view value;
        if (!jsonStringMember(header, "kid", value)) {
            return Status::BadHeader;
        }
        out.kid = value;
    }
    if (hasCrit(header)) {
        return Status::UnsupportedCrit;
    }
    return Status::Ok;
}

}  // namespace

Status parseCompact(std::string_view compact, std::size_t maxSize,
                    unsigned char *scratch, std::size_t scratchSize,
                    Token &out) noexcept
{
    // Nothing of an earlier token may survive in out: its kid is a view
    // into the header being replaced.
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

    // The header is decoded into the scratch only while it is parsed; the
    // signature then takes the front of the scratch for good.
    auto headerSize = decodeBase64Url(parts.header, scratch, scratchSize);
    if (!headerSize) {
        return Status::Malformed;
    }
    std::string_view headerText(reinterpret_cast<const char *>(scratch),
                                *headerSize);
    Status status = parseHeader(headerText, out);
    if (status != Status::Ok) {
        return status;
    }

    auto signatureSize = decodeBase64Url(parts.signature, scratch,
                                         scratchSize);
    if (!signatureSize) {
        return Status::Malformed;
    }
    out.signature = scratch;
    out.signatureSize = *signatureSize;

    // The payload is only decoded here, so that a malformed token is
    // reported as such; its JSON is not looked at before the signature
    // holds.
    unsigned char *payload = scratch + *signatureSize;
    auto payloadSize = decodeBase64Url(parts.payload, payload,
                                       scratchSize - *signatureSize);
    if (!payloadSize) {
        return Status::Malformed;
    }
    out.payloadText = std::string_view(reinterpret_cast<char *>(payload),
                                       *payloadSize);
    return Status::Ok;
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
