#include "payload_scan.hpp"

#include <new>

#include "json_scan.hpp"

namespace authjwt {

namespace {

// Keeps the top-level "exp", "nbf" and "iat".
class TimeClaimSink final : public JsonMemberSink {
public:
    explicit TimeClaimSink(TimeClaims &times) noexcept : times_(times) {}

    void member(const JsonString &name,
                const JsonValue &value) noexcept override
    {
        TimeClaim *claim = claimNamed(name);
        if (claim == nullptr) {
            return;
        }
        if (value.kind == JsonValue::Kind::Number) {
            claim->presence = TimeClaim::Presence::Number;
            claim->value = value.number;
        } else {
            claim->presence = TimeClaim::Presence::NotNumber;
        }
    }

private:
    TimeClaim *claimNamed(const JsonString &name) noexcept
    {
        if (name.equals("exp")) {
            return &times_.exp;
        }
        if (name.equals("nbf")) {
            return &times_.nbf;
        }
        if (name.equals("iat")) {
            return &times_.iat;
        }
        return nullptr;
    }

    TimeClaims &times_;
};

}  // namespace

Status scanPayload(std::string_view text, TimeClaims &times) noexcept
{
    times = TimeClaims();
    try {
        TimeClaimSink sink(times);
        return scanJsonObject(text, sink) ? Status::Ok : Status::BadPayload;
    } catch (const std::bad_alloc &) {
        return Status::InternalError;
    }
}

}  // namespace authjwt
