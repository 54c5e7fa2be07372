#include "header_scan.hpp"

#include <new>

#include "json_scan.hpp"

namespace authjwt {

namespace {

// Keeps the members the verifier reads: "alg", "kid" and whether "crit"
// is there.
class HeaderSink final : public JsonMemberSink {
public:
    void member(const JsonString &name,
                const JsonValue &value) noexcept override
    {
        if (name.equals("alg")) {
            alg = value;
            hasAlg = true;
        } else if (name.equals("kid")) {
            kid = value;
            hasKid = true;
        } else if (name.equals("crit")) {
            hasCrit = true;
        }
    }

    JsonValue alg;
    JsonValue kid;
    bool hasAlg = false;
    bool hasKid = false;
    bool hasCrit = false;
};

bool isString(const JsonValue &value) noexcept
{
    return value.kind == JsonValue::Kind::String;
}

// The value of s: the text itself, or its unescaped copy in buffer.
bool valueOf(const JsonString &s, char *buffer, std::size_t bufferSize,
             std::size_t &used, std::string_view &out) noexcept
{
    if (!s.escaped()) {
        out = s.raw();
        return true;
    }
    // unescaping never lengthens a string
    if (bufferSize - used < s.raw().size()) {
        return false;
    }
    char *start = buffer + used;
    std::size_t size = s.unescape(start);
    used += size;
    out = std::string_view(start, size);
    return true;
}

}  // namespace

Status scanHeader(std::string_view text, char *buffer, std::size_t bufferSize,
                  JoseHeader &out) noexcept
{
    out = JoseHeader();
    HeaderSink sink;
    try {
        if (!scanJsonObject(text, sink)) {
            return Status::BadHeader;
        }
    } catch (const std::bad_alloc &) {
        return Status::InternalError;
    }

    if (!sink.hasAlg || !isString(sink.alg)
        || (sink.hasKid && !isString(sink.kid)))
    {
        return Status::BadHeader;
    }
    // RFC 7515 4.1.11: every extension named in "crit" must be understood,
    // and this implementation understands none.
    if (sink.hasCrit) {
        return Status::UnsupportedCrit;
    }

    std::size_t used = 0;
    if (!valueOf(sink.alg.string, buffer, bufferSize, used, out.alg)) {
        return Status::InternalError;
    }
    if (sink.hasKid) {
        std::string_view kid;
        if (!valueOf(sink.kid.string, buffer, bufferSize, used, kid)) {
            return Status::InternalError;
        }
        out.kid = kid;
    }
    out.bufferUsed = used;
    return Status::Ok;
}

}  // namespace authjwt
