// IBM DDR's control statements (ddr run): one line in, one statement or one error out.
// Pure: no files, no state, no output; `ddr run` (cmd_run.cpp) keeps the state of a job
// and decides what each statement does.  The syntax, the minimum abbreviations and the
// device type names are IBM's VM/370 DDR's (man/ddr.1, "Statement mode").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ddr::stmt {

// The columns of a statement IBM's DDR reads: 1 to 71 (72-80 are a card's sequence field).
inline constexpr size_t kStatementColumns = 71;
// The most extents one DUMP, RESTORE or COPY step takes (DMKDDR712E).
inline constexpr size_t kMaxExtents = 20;

// A statement that cannot be taken: IBM's message number and text ("701E", "INVALID
// OPERAND - TO") and, for ddr's own line, what exactly is wrong.
struct StatementError {
    std::string id;      // "701E": DMKDDR701E
    std::string text;    // IBM's message text
    std::string detail;  // ddr's explanation (may be empty)
};

enum class DeviceClass { Dasd, Tape };

// A device type named on INPUT or OUTPUT: its full name and what it is.  `ibm` says
// the name is in IBM's R6 DDR table; the others are types ddr's device tables (devices/)
// add, which must be typed in full.
struct DeviceType {
    std::string name;
    DeviceClass cls = DeviceClass::Dasd;
    bool ibm = false;
    friend bool operator==(const DeviceType&, const DeviceType&) = default;
};

// The type `word` names, or nullopt: a name of IBM's R6 table, typed in full (the table
// wants every name in full), then one of ddr's CKD, FBA and tape types that is no
// abbreviation of an IBM name.
std::optional<DeviceType> find_device_type(std::string_view word);

enum class Disposition { Unload, Rewind, Leave };

struct TapeOptions {
    std::optional<unsigned> skip;              // SKIP n: dumps to pass over first (0-255)
    std::optional<Disposition> disposition;    // REWIND, UNLOAD, LEAVE (IBM's default UNLOAD)
    std::optional<unsigned> mode;              // MODE 800|1600|6250|38K (means nothing for a file)
    bool compact = false;                      // COMPACT, LZCOMPACT (likewise)
    bool lzcompact = false;
};

// INPUT or OUTPUT: `cuu type [volser|SCRATCH]` (DASD) or `cuu type [altcuu] [(options]` (tape).
struct DeviceStatement {
    bool output = false;
    uint16_t unit = 0;
    DeviceType type;
    std::string volser;                  // DASD: the volser expected ("" none)
    bool scratch = false;                // DASD OUTPUT: any volser will do
    std::optional<uint16_t> alternate;   // tape: the unit of the next reel
    TapeOptions tape;
};

// SYSPRINT cuu (or CONS: the console).
struct SysprintStatement {
    std::optional<uint16_t> unit;  // nullopt: CONS
};

// One extent: cylinders `first` to `last`, written from `reorder` on if given.
struct Extent {
    uint32_t first = 0;
    uint32_t last = 0;
    std::optional<uint32_t> reorder;

    uint32_t output_first() const { return reorder.value_or(first); }
    uint32_t output_last() const { return output_first() + (last - first); }
    friend bool operator==(const Extent&, const Extent&) = default;
};

enum class Function { Dump, Restore, Copy };
enum class Scope { Extents, All, Cpvol, Nucleus };

// DUMP, RESTORE or COPY.  With Scope::Extents, `extents` holds the one on the statement
// (empty if none was typed: the extents follow on the next lines); more follow until a
// null line.
struct FunctionStatement {
    Function function = Function::Dump;
    Scope scope = Scope::All;
    std::vector<Extent> extents;
};

// A track or record address of PRINT/TYPE: cylinder, then optional head and record.
struct RecordAddress {
    uint32_t cyl = 0;
    std::optional<uint32_t> head;
    std::optional<uint32_t> record;
    friend bool operator==(const RecordAddress&, const RecordAddress&) = default;
};

// PRINT or TYPE: `cc1 [hh1 [rr1]] [TO cc2 [hh2 [rr2]]] [(HEX GRAPHIC COUNT)]`.  With no
// option given both HEX and GRAPHIC are on (IBM's default).
struct DisplayStatement {
    bool print = false;  // PRINT (the printer) or TYPE (the console)
    RecordAddress from;
    std::optional<RecordAddress> to;
    bool hex = true;
    bool graphic = true;
    bool count = false;
};

struct EndStatement {};

// A null line: it ends a step's extents, or, where a statement is expected, the job.
struct NullLine {};

using Statement = std::variant<NullLine, SysprintStatement, DeviceStatement, FunctionStatement, DisplayStatement,
                               EndStatement>;
using ParsedStatement = std::variant<Statement, StatementError>;
using ParsedExtent = std::variant<Extent, StatementError>;

// The statement on one console line or card: upper-cased, cut at column 71.
ParsedStatement parse_statement(std::string_view line);

// An extent line after DUMP/RESTORE/COPY: `c1 [TO] c2 [REORDER [TO] c3]`.  A null line
// is an error here (703E): callers test is_null_line first, since it ends the extents.
ParsedExtent parse_extent_line(std::string_view line);

// True if the line holds nothing in columns 1-71 but blanks.
bool is_null_line(std::string_view line);

// Adds `next` to a step's `extents`, or says why not: more than kMaxExtents (712E), or
// an extent that does not ascend past the one before, on the volume or on the tape (713E).
std::optional<StatementError> add_extent(std::vector<Extent>& extents, const Extent& next);

// The answer to one of IBM's questions (711R, 716R, 717R, 725R).
enum class Answer { Yes, No, Reread };
std::optional<Answer> parse_answer(std::string_view line);

// A hexadecimal unit address of 1 to 4 digits ("00E", "181"), or nullopt.
std::optional<uint16_t> parse_unit(std::string_view word);

// "0181": how a unit address is printed in ddr's messages (3 digits, 4 when needed).
std::string unit_name(uint16_t unit);

} // namespace ddr::stmt
