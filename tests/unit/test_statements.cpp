// IBM DDR's control statements (ddr/statements): every statement, IBM's minimum
// abbreviations, the device type table, extents and their limits, answers; the device
// statements of a Hercules configuration (formats/io/hercules_config); IBM's console and
// printer texts and the printer rows of a multi-reel step (ddr/console, ddr/run_tapes).
#include "ddr/console.hpp"
#include "ddr/run_tapes.hpp"
#include "ddr/statements.hpp"
#include "formats/io/error.hpp"
#include "formats/io/hercules_config.hpp"
#include "formats/io/tod.hpp"
#include "tests/unit/error_testing.hpp"

#include <doctest/doctest.h>

using namespace ddr;
using namespace ddr::stmt;

namespace {

// The statement `line` parses to; fails the test on a StatementError.
Statement parsed(std::string_view line)
{
    ParsedStatement p = parse_statement(line);
    if (const auto* e = std::get_if<StatementError>(&p))
        FAIL("'" << line << "' gave DMKDDR" << e->id << " " << e->text << " (" << e->detail << ")");
    return std::get<Statement>(p);
}

// The message number `line` is refused with ("" if it is taken).
std::string refused(std::string_view line)
{
    ParsedStatement p = parse_statement(line);
    const auto* e = std::get_if<StatementError>(&p);
    return e ? e->id : std::string();
}

DeviceStatement device(std::string_view line)
{
    return std::get<DeviceStatement>(parsed(line));
}

FunctionStatement function(std::string_view line)
{
    return std::get<FunctionStatement>(parsed(line));
}

} // namespace

TEST_CASE("Statements: INPUT and OUTPUT of a DASD: unit, type, volser or SCRATCH")
{
    DeviceStatement d = device("INPUT 130 3330");
    CHECK_FALSE(d.output);
    CHECK(d.unit == 0x130);
    CHECK(d.type.name == "3330");
    CHECK(d.type.cls == DeviceClass::Dasd);
    CHECK(d.type.ibm);
    CHECK(d.volser.empty());
    d = device("output 130 3330 cdf94l");
    CHECK(d.output);
    CHECK(d.volser == "CDF94L");
    CHECK(device("OUT 0130 3330-11 SCRATCH").scratch);
    CHECK(refused("INPUT 130 3330 SCRATCH") == "701E");   // SCRATCH is for an output
    CHECK(refused("INPUT 130 3330 TOOLONG1") == "701E");
    CHECK(refused("INPUT 130 3330 VOL1 X") == "701E");
    CHECK(refused("INPUT") == "703E");
    CHECK(refused("INPUT 130") == "703E");
    CHECK(refused("INPUT 13G 3330") == "701E");
    CHECK(refused("INPUT 12345 3330") == "701E");
}

TEST_CASE("Statements: INPUT and OUTPUT of a tape: alternate unit and options")
{
    DeviceStatement d = device("OUTPUT 181 3420 182 (REWIND");
    CHECK(d.type.cls == DeviceClass::Tape);
    REQUIRE(d.alternate);
    CHECK(*d.alternate == 0x182);
    CHECK(d.tape.disposition == Disposition::Rewind);
    d = device("INPUT 181 3420 (SKIP 1 LEAVE)");
    CHECK_FALSE(d.alternate);
    CHECK(d.tape.skip == 1u);
    CHECK(d.tape.disposition == Disposition::Leave);
    d = device("OUTPUT 181 3420(MODE 6250 UNLOAD COMPACT LZCOMPACT");
    CHECK(d.tape.mode == 6250u);
    CHECK(d.tape.disposition == Disposition::Unload);
    CHECK(d.tape.compact);
    CHECK(d.tape.lzcompact);
    CHECK_FALSE(device("OUTPUT 181 3420").tape.disposition);  // IBM's default (UNLOAD) is the caller's
    CHECK(refused("OUTPUT 181 3420 (SKIP") == "703E");
    CHECK(refused("OUTPUT 181 3420 (SKIP 256") == "701E");
    CHECK(refused("OUTPUT 181 3420 (MODE 1234") == "701E");
    CHECK(refused("OUTPUT 181 3420 (BACKWARDS") == "701E");
    CHECK(refused("OUTPUT 181 3420 XYZ") == "701E");
}

TEST_CASE("Statements: IBM's minimum abbreviations")
{
    CHECK(std::holds_alternative<DeviceStatement>(parsed("IN 130 3330")));
    CHECK(std::holds_alternative<DeviceStatement>(parsed("INP 130 3330")));
    CHECK(refused("I 130 3330") == "701E");
    CHECK(device("OUT 181 3420").output);
    CHECK(refused("OU 181 3420") == "701E");
    CHECK(refused("OUTPUTS 181 3420") == "701E");
    CHECK(std::holds_alternative<SysprintStatement>(parsed("SY 00E")));
    CHECK(function("DU ALL").function == Function::Dump);
    CHECK(function("RE ALL").function == Function::Restore);
    CHECK(function("REST ALL").function == Function::Restore);
    CHECK(function("CO ALL").function == Function::Copy);
    CHECK(refused("D ALL") == "701E");
    CHECK(std::get<DisplayStatement>(parsed("PR 1")).print);
    CHECK_FALSE(std::get<DisplayStatement>(parsed("TY 1")).print);
    CHECK(std::holds_alternative<EndStatement>(parsed("END")));
    CHECK(refused("EN") == "701E");
    CHECK(refused("FROBNICATE 1") == "701E");
}

TEST_CASE("Statements: device types are typed in full, from IBM's table or ddr's")
{
    for (const char* t : {"2305-1", "2305-2", "2311", "2314", "2319", "3330", "3330-11", "3350", "3340-35", "3340-70"}) {
        CAPTURE(t);
        const auto d = find_device_type(t);
        REQUIRE(d);
        CHECK(d->ibm);
        CHECK(d->cls == DeviceClass::Dasd);
    }
    for (const char* t : {"2400", "2401", "2415", "2420", "3410", "3411", "3420"})
        CHECK(find_device_type(t)->cls == DeviceClass::Tape);
    CHECK_FALSE(find_device_type("333"));      // too short: 3330 needs all 4 characters
    CHECK_FALSE(find_device_type("3330-1"));   // neither 3330 nor 3330-11
    CHECK_FALSE(find_device_type("2305"));
    CHECK_FALSE(find_device_type("1234"));
    const auto ckd = find_device_type("3390-3");
    REQUIRE(ckd);
    CHECK_FALSE(ckd->ibm);
    CHECK(ckd->cls == DeviceClass::Dasd);
    CHECK(find_device_type("9336")->cls == DeviceClass::Dasd);
    CHECK(find_device_type("3490E")->cls == DeviceClass::Tape);
    CHECK(find_device_type("TAPE")->cls == DeviceClass::Tape);
    CHECK(refused("INPUT 130 3330-1") == "701E");
}

TEST_CASE("Statements: SYSPRINT, END and the null line")
{
    CHECK(std::get<SysprintStatement>(parsed("SYSPRINT 00F")).unit == 0x00F);
    CHECK_FALSE(std::get<SysprintStatement>(parsed("SYSPRINT CONS")).unit);
    CHECK(refused("SYSPRINT") == "703E");
    CHECK(refused("SYSPRINT XYZ") == "701E");
    CHECK(refused("END NOW") == "701E");
    CHECK(std::holds_alternative<NullLine>(parsed("")));
    CHECK(std::holds_alternative<NullLine>(parsed("    \t ")));
    CHECK(is_null_line("   "));
    CHECK_FALSE(is_null_line(" 1"));
}

TEST_CASE("Statements: DUMP, RESTORE, COPY: ALL, CPVOL, NUCLEUS and extents")
{
    CHECK(function("DUMP ALL").scope == Scope::All);
    CHECK(function("DUMP CPVOL").scope == Scope::Cpvol);
    CHECK(function("RESTORE NUCLEUS").scope == Scope::Nucleus);
    CHECK(refused("DUMP ALL 5") == "701E");
    FunctionStatement f = function("DUMP");
    CHECK(f.scope == Scope::Extents);
    CHECK(f.extents.empty());
    f = function("DUMP 0 TO 12");
    REQUIRE(f.extents.size() == 1);
    CHECK(f.extents[0] == Extent{0, 12, std::nullopt});
    CHECK(function("DUMP 0 12").extents[0] == Extent{0, 12, std::nullopt});
    CHECK(function("DUMP 7").extents[0] == Extent{7, 7, std::nullopt});
    CHECK(function("DUMP 5 TO 9 REORDER 20").extents[0] == Extent{5, 9, 20});
    CHECK(function("DUMP 5 TO 9 REORDER TO 20").extents[0] == Extent{5, 9, 20});
    CHECK(function("RESTORE 2 4 10").extents[0] == Extent{2, 4, 10});
    CHECK(function("COPY 2 TO 4 REORDER 10").extents[0].output_last() == 12);
    CHECK(refused("DUMP 9 TO 5") == "713E");
    CHECK(refused("DUMP 1 TO") == "703E");
    CHECK(refused("DUMP 1 TO X") == "701E");
    CHECK(refused("DUMP 1 TO 2 REORDER") == "703E");
    CHECK(refused("DUMP 1 TO 2 3 4") == "701E");
    CHECK(refused("DUMP X") == "701E");
}

TEST_CASE("Statements: continuation extents, at most 20, ascending on volume and tape")
{
    std::vector<Extent> ex;
    CHECK_FALSE(add_extent(ex, std::get<Extent>(parse_extent_line("0 TO 1"))));
    CHECK_FALSE(add_extent(ex, std::get<Extent>(parse_extent_line("6 TO 7 REORDER 2"))));
    CHECK_FALSE(add_extent(ex, std::get<Extent>(parse_extent_line("10 TO 11"))));
    CHECK(ex.size() == 3);
    CHECK(add_extent(ex, {11, 12, std::nullopt})->id == "713E");  // overlaps 10-11
    CHECK(add_extent(ex, {5, 5, std::nullopt})->id == "713E");    // goes back
    CHECK(add_extent(ex, {20, 21, 3})->id == "713E");             // written back over 10-11 on tape
    CHECK(ex.size() == 3);
    std::vector<Extent> many;
    for (uint32_t c = 0; c < kMaxExtents; ++c)
        CHECK_FALSE(add_extent(many, {c * 2, c * 2, std::nullopt}));
    const auto e = add_extent(many, {100, 100, std::nullopt});
    REQUIRE(e);
    CHECK(e->id == "712E");
    CHECK(std::get<StatementError>(parse_extent_line("")).id == "703E");
    CHECK(std::get<StatementError>(parse_extent_line("5 TO 3")).id == "713E");
    CHECK(std::get<StatementError>(parse_extent_line("ALL")).id == "701E");
}

TEST_CASE("Statements: PRINT and TYPE: ranges and options")
{
    DisplayStatement d = std::get<DisplayStatement>(parsed("TYPE 1 4 2 TO 1 4 5"));
    CHECK(d.from == RecordAddress{1, 4, 2});
    REQUIRE(d.to);
    CHECK(*d.to == RecordAddress{1, 4, 5});
    CHECK(d.hex);
    CHECK(d.graphic);
    CHECK_FALSE(d.count);
    d = std::get<DisplayStatement>(parsed("PRINT 2 0 TO 3 18 (COUNT"));
    CHECK(d.count);
    CHECK_FALSE(d.hex);
    d = std::get<DisplayStatement>(parsed("TYPE 1 2 TO 1 2 (HEX)"));
    CHECK(d.hex);
    CHECK_FALSE(d.graphic);
    d = std::get<DisplayStatement>(parsed("PRINT 5"));
    CHECK(d.from == RecordAddress{5, std::nullopt, std::nullopt});
    CHECK_FALSE(d.to);
    CHECK(refused("PRINT") == "703E");
    CHECK(refused("PRINT 1 TO") == "703E");
    CHECK(refused("PRINT 2 TO 1") == "713E");
    CHECK(refused("PRINT 1 (BOLD") == "701E");
}

TEST_CASE("Statements: columns 1-71 only, any case")
{
    std::string line = "DUMP 0 TO 1";
    line.resize(71, ' ');
    CHECK(function(line + "99999999").extents[0] == Extent{0, 1, std::nullopt});  // 72-80: sequence field
    CHECK(function("dump 0 to 1 reorder 5").extents[0] == Extent{0, 1, 5});
}

TEST_CASE("Statements: answers and unit addresses")
{
    CHECK(parse_answer("YES") == Answer::Yes);
    CHECK(parse_answer(" no ") == Answer::No);
    CHECK(parse_answer("reread") == Answer::Reread);
    CHECK_FALSE(parse_answer("Y"));
    CHECK_FALSE(parse_answer(""));
    CHECK_FALSE(parse_answer("YES PLEASE"));
    CHECK(parse_unit("00E") == uint16_t(0x00E));
    CHECK(parse_unit("fFfF") == uint16_t(0xFFFF));
    CHECK_FALSE(parse_unit(""));
    CHECK_FALSE(parse_unit("10000"));
    CHECK(unit_name(0x00E) == "00E");
    CHECK(unit_name(0x1234) == "1234");
}

TEST_CASE("Hercules configuration: device statements, comments, continuation, quotes")
{
    const std::string cnf = "# a comment\n"
                            "CPUSERIAL 000611\n"
                            "MAINSIZE 16\n"
                            "0130 3330 vol.3330 sf=shadow # trailing comment\n"
                            "0:0181 3420 \"reel one.aws\" \\\n"
                            "   maxsize=880570 eotmargin=65536\n"
                            "000E 1403 prt.txt\n"
                            "0009 3215-C / noprompt\n"
                            "0140-0141 3350 pair.3350\n"
                            "0150.2 2314 two.2314\n"
                            "0160 3330\n";
    const std::vector<HerculesDevice> d = parse_hercules_config(cnf, "h.cnf");
    REQUIRE(d.size() == 9);
    CHECK(d[0].unit == 0x130);
    CHECK(d[0].devtype == "3330");
    CHECK(d[0].file == "vol.3330");
    CHECK(d[0].options == std::vector<std::string>{"sf=shadow"});
    CHECK(d[0].line == 4);
    CHECK(d[1].unit == 0x181);
    CHECK(d[1].file == "reel one.aws");
    CHECK(hercules_option(d[1].options, "maxsize") == "880570");
    CHECK(hercules_option(d[1].options, "eotmargin") == "65536");
    CHECK(hercules_option(d[1].options, "maxsizeK").empty());
    CHECK(d[2].devtype == "1403");
    CHECK(d[4].unit == 0x140);
    CHECK(d[5].unit == 0x141);
    CHECK(d[6].unit == 0x150);
    CHECK(d[7].unit == 0x151);
    CHECK(d[8].file.empty());
}

TEST_CASE("Hercules configuration: errors name the line")
{
    auto error_of = [](const std::string& text) -> std::string {
        try {
            parse_hercules_config(text, "h.cnf");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Usage);
            return e.what();
        }
        return "";
    };
    CHECK(error_of("MAINSIZE 16\n0130\n").find("line 2") != std::string::npos);
    CHECK(error_of("0130 3330 \"unclosed\n").find("line 1") != std::string::npos);
    CHECK(error_of("\n\n0100-0300 3330 x\n").find("line 3") != std::string::npos);
    CHECK(error_of("0200-0100 3330 x\n").find("line 1") != std::string::npos);
    // An empty quoted device type is no device type (found by fuzz_statements).
    CHECK(error_of("config\n a0A \"\"\nx\n").find("line 2: device a0A has no device type") != std::string::npos);
    CHECK(error_of("").empty());
    CHECK(error_of("\\").empty());
}

TEST_CASE("ddr run: printer rows split where a reel ended, as IBM's printer shows them")
{
    using console::ExtentRow;
    // multireel-reorder-3350: DUMP 2 TO 9 REORDER 12, reel 2 starting at output CYL 015 HD 08.
    CHECK(rows_split_at_reels({{2, 9, 12}}, {{15, 8}}) ==
          std::vector<ExtentRow>{{2, 5, 12, 15}, {5, 9, 15, 19}});
    // multireel-3330: DUMP 0 TO 12, reel 2 at CYL 006 HD 15.
    CHECK(rows_split_at_reels({{0, 12, std::nullopt}}, {{6, 15}}) ==
          std::vector<ExtentRow>{{0, 6, 0, 6}, {6, 12, 6, 12}});
    // A reel change in the second of two extents splits only that one; one at head 0 of an
    // extent's first cylinder splits nothing.
    CHECK(rows_split_at_reels({{0, 1, std::nullopt}, {6, 7, 2}}, {{3, 4}}) ==
          std::vector<ExtentRow>{{0, 1, 0, 1}, {6, 7, 2, 3}, {7, 7, 3, 3}});
    CHECK(rows_split_at_reels({{0, 1, std::nullopt}, {6, 7, 2}}, {{2, 0}}) ==
          std::vector<ExtentRow>{{0, 1, 0, 1}, {6, 7, 2, 3}});
}

TEST_CASE("ddr run: IBM's console and printer texts")
{
    CHECK(console::doing("DUMPING", "SX7YX5") == "DUMPING   SX7YX5");
    CHECK(console::doing("RESTORING", "SX7YX5") == "RESTORING SX7YX5");
    CHECK(console::doing("PRINTING", "") == "PRINTING");
    CHECK(console::end_of_volume(6, 15) == "END OF VOLUME CYL 006 HD 15, MOUNT NEXT TAPE");
    CHECK(console::volid_read("SX7YX5", "") == "DMKDDR711R VOLID READ IS SX7YX5");
    CHECK(console::volid_read("SX7YX5", "TT2JCI") == "DMKDDR711R VOLID READ IS SX7YX5 NOT TT2JCI");
    CHECK(console::dumped_to_be_restored("SX7YX5", "") == "DMKDDR717R DATA DUMPED FROM SX7YX5 TO BE RESTORED TO");
    // 2026-11-25 09:23:53 UTC as a TOD clock value.
    const uint64_t tod = tod_from_unix_micros(int64_t(1795598633) * 1000000);
    CHECK(console::dump_heading(tod, "SX7YX5") == "DUMPING DATA  11/25/26 AT 09:23:53  GMT FROM SX7YX5");
    CHECK(console::restore_heading(tod, "SX7YX5", "") == "DATA DUMPED   11/25/26 AT 09:23:53  GMT FROM SX7YX5 RESTORED TO");
    const std::vector<std::string> page = console::extent_page("H", {{0, 12, 0, 12}}, "END OF DUMP");
    CHECK(page == std::vector<std::string>{"H", "", "", "INPUT CYLINDER EXTENTS      OUTPUT CYLINDER EXTENTS", "",
                                           "        START     STOP      START     STOP",
                                           "        0000      0012      0000      0012", "", "", "END OF DUMP"});
}

// ---- where a drive's tape stands at a job's first step (ddr/run_tapes.hpp) ----

TEST_CASE("run on a drive: the tape's position is the driver's file count at a file's start")
{
    DriveStatus at_start;
    at_start.file = 0;
    at_start.block = 0;
    CHECK(files_before(at_start, "/dev/nst0") == 0);
    DriveStatus after_two;
    after_two.file = 2;
    after_two.block = 0;
    CHECK(files_before(after_two, "/dev/nst0") == 2);
}

TEST_CASE("run on a drive: a tape inside a file, or whose place the driver lost, is refused naming the drive")
{
    DriveStatus inside;
    inside.file = 1;
    inside.block = 7;
    CHECK_ERROR(files_before(inside, "/dev/nst0"), ErrorKind::Usage,
                "/dev/nst0: the tape stands inside tape file 2 (after its block 7)");
    DriveStatus lost;  // mt_fileno -1
    CHECK_ERROR(files_before(lost, "/dev/nst1"), ErrorKind::Usage, "/dev/nst1: the driver has lost count");
    DriveStatus block_lost;
    block_lost.file = 3;
    CHECK_ERROR(files_before(block_lost, "/dev/nst1"), ErrorKind::Usage, "lost count");
}
