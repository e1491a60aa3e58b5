// The texts of IBM DDR's console and printer (ddr run): prompts, questions, messages with
// IBM's numbers, and the printer's extent page for DUMP, RESTORE and COPY.  Each line
// is laid out as IBM's VM/370 R6 DDR lays it out (man/ddr.1, "Statement mode"); the
// transcripts of the IBM DDR fixtures are the reference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddr::console {

inline constexpr std::string_view kBanner = "VM/370 DASD DUMP/RESTORE PROGRAM RELEASE 6";
inline constexpr std::string_view kEnterReaderOrStatements = "ENTER CARD READER ADDRESS OR CONTROL STATEMENTS";
inline constexpr std::string_view kEnter = "ENTER:";
inline constexpr std::string_view kEnterExtents = "ENTER CYLINDER EXTENTS";
inline constexpr std::string_view kEnterNextExtent = "ENTER NEXT EXTENT OR NULL LINE";
inline constexpr std::string_view kContinue = "DO YOU WISH TO CONTINUE?  RESPOND YES NO OR REREAD:";
inline constexpr std::string_view kEndOfJob = "END OF JOB";

// "DMKDDR701E INVALID OPERAND - TO": a message with IBM's number ("701E").
std::string message(std::string_view id, std::string_view text);

// "DUMPING   VMRES1": what a step does (DUMPING, RESTORING, COPYING, PRINTING), in a
// 10-column field, and the volser.
std::string doing(std::string_view verb, std::string_view volser);

// "END OF VOLUME CYL 006 HD 15, MOUNT NEXT TAPE": a reel ended; the track named is the
// first one of the next reel.
std::string end_of_volume(uint32_t cyl, uint32_t head);

// The questions (the first line; kContinue follows):
// 711R "VOLID READ IS read [NOT expected]", 716R "NO VOL1 LABEL FOUND",
// 717R "DATA DUMPED FROM dumped TO BE RESTORED TO target", 725R (input device larger).
std::string volid_read(std::string_view read, std::string_view expected);
std::string no_vol1_label();
std::string dumped_to_be_restored(std::string_view dumped, std::string_view target);
std::string input_larger_than_output();

// One row of the printer's extent table: cylinders read and where they were written.
struct ExtentRow {
    uint32_t in_first = 0, in_last = 0, out_first = 0, out_last = 0;
    friend bool operator==(const ExtentRow&, const ExtentRow&) = default;
};

// "11/25/26 AT 09:23:53": a TOD clock value as the printer heading gives it (GMT).
std::string heading_time(uint64_t tod);

// The printer page of one step: `heading` ("DUMPING DATA  ... FROM VMRES1"), the
// INPUT/OUTPUT CYLINDER EXTENTS table, and `end` ("END OF DUMP").  Lines without their
// line ends; a page after the first is preceded by a form feed (the caller's).
std::vector<std::string> extent_page(const std::string& heading, const std::vector<ExtentRow>& rows,
                                     std::string_view end);

// The headings: DUMP "DUMPING DATA  <time>  GMT FROM v", RESTORE "DATA DUMPED   <time>  GMT
// FROM v RESTORED TO t", COPY "COPYING DATA  <time>  GMT FROM v TO t".
std::string dump_heading(uint64_t tod, std::string_view volser);
std::string restore_heading(uint64_t tod, std::string_view volser, std::string_view target);
std::string copy_heading(uint64_t tod, std::string_view volser, std::string_view target);

} // namespace ddr::console
