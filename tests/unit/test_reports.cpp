// What the JSON reports (--json) are made of: the TOD and hash texts, container kinds,
// error kind and status names, and the refusal of standard output in JSON mode.
#include "ddr/exit_codes.hpp"
#include "ddr/outputs.hpp"
#include "ddr/report.hpp"
#include "formats/ddrtape/trailer.hpp"
#include "formats/io/error.hpp"
#include "formats/io/tod.hpp"
#include "formats/volume/volume.hpp"

#include <doctest/doctest.h>

using namespace ddr;

TEST_CASE("TOD texts: ISO 8601 UTC to the second, and the 64 bits in 16 hex digits")
{
    const uint64_t tod = tod_from_unix_micros(1764062721123456LL);  // 2025-11-25 09:25:21.123456 UTC
    CHECK(format_tod_iso8601(tod) == "2025-11-25T09:25:21Z");
    CHECK(format_tod_utc(tod) == "2025-11-25 09:25:21 UTC");
    CHECK(format_tod_hex(0xE3A26AB72F94B000ULL) == "E3A26AB72F94B000");
    CHECK(format_tod_hex(0x1ULL) == "0000000000000001");
    CHECK(format_tod_iso8601(tod_from_unix_micros(0)) == "1970-01-01T00:00:00Z");
}

TEST_CASE("hash_hex: 32 lower-case digits, the high half first, leading zeros kept")
{
    CHECK(hash_hex({0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL}) == "0123456789abcdeffedcba9876543210");
    CHECK(hash_hex({0, 1}) == "00000000000000000000000000000001");
    CHECK(hash_hex({}).size() == 32);
}

TEST_CASE("container_kind: each Hercules magic by its kind; anything else as it is")
{
    CHECK(container_kind("CKD_P370") == "CKD");
    CHECK(container_kind("CKD_P064") == "CKD64");
    CHECK(container_kind("CKD_C370") == "CCKD");
    CHECK(container_kind("CKD_S370") == "CCKD");
    CHECK(container_kind("CKD_C064") == "CCKD64");
    CHECK(container_kind("CKD_S064") == "CCKD64");
    CHECK(container_kind("CKD_E064") == "EAV");
    CHECK(container_kind("FBA") == "FBA");
    CHECK(container_kind("FBA_C370") == "CFBA");
    CHECK(container_kind("FBA_S064") == "CFBA64");
    CHECK(container_kind("XYZ_0000") == "XYZ_0000");
}

TEST_CASE("error kinds and statuses: one name each, as man ddr(1) lists them")
{
    CHECK(std::string(error_kind_name(ErrorKind::Usage)) == "usage");
    CHECK(std::string(error_kind_name(ErrorKind::Unreadable)) == "unreadable");
    CHECK(std::string(error_kind_name(ErrorKind::Damaged)) == "damaged");
    CHECK(std::string(error_kind_name(ErrorKind::Reel)) == "reel");
    CHECK(std::string(error_kind_name(ErrorKind::Refused)) == "refused");
    CHECK(std::string(error_kind_name(ErrorKind::Device)) == "device");
    CHECK(std::string(error_kind_name(ErrorKind::NotCpVolume)) == "not_cp_volume");
    CHECK(std::string(error_kind_name(ErrorKind::WriteFailed)) == "write_failed");
    CHECK(std::string(error_kind_name(ErrorKind::ReadFailed)) == "read_failed");
    CHECK(std::string(error_kind_name(ErrorKind::Interrupted)) == "interrupted");
    CHECK(std::string(error_kind_name(ErrorKind::Internal)) == "internal");
    CHECK(std::string(status_name(kExitOk)) == "ok");
    CHECK(std::string(status_name(kExitDamaged)) == "damaged");
    CHECK(std::string(status_name(kExitInterrupted)) == "interrupted");
    CHECK(std::string(status_name(kExitUsage)) == "error");
    CHECK(std::string(status_name(kExitRefused)) == "error");
}

TEST_CASE("refuse_json_with_stdout: only in JSON mode, only for -")
{
    Reporter human(Reporter::Level::Quiet);
    CHECK_NOTHROW(refuse_json_with_stdout({"-"}, "the tape", human));
    Reporter json(Reporter::Level::Quiet);
    json.set_json(true);
    CHECK_NOTHROW(refuse_json_with_stdout({"t.aws", "u.aws"}, "the tape", json));
    try {
        refuse_json_with_stdout({"t.aws", "-"}, "the tape", json);
        FAIL("not refused");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Usage);
        CHECK(std::string(e.what()).find("the tape cannot be written there") != std::string::npos);
    }
}
