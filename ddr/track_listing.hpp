// IBM DDR's PRINT and TYPE: a CKD track shown as its home address, R0, and every record's
// count, key and data, in hex and EBCDIC characters, line for line as VM/370 DDR shows
// it (man/ddr.1, PRINT AND TYPE).  The formatter is a pure function of the track and the
// options; it hands each line to a ListingSink, which lays the lines out for a console
// (ConsoleLines) or a 1403 printer (PrinterPages).  `ddr print`, `ddr type` and the
// statement interpreter all list through print_tracks().
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/volume/ckd_track.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ddr {

// Where the listing goes: the character column of a console (TYPE) and of a 1403
// printer (PRINT) show different characters.
enum class ListingDevice { Console, Printer };

// IBM's options (HEX GRAPHIC COUNT); none given means HEX and GRAPHIC.
struct ListingOptions {
    bool hex = true;          // the hex columns
    bool graphic = true;      // the character column
    bool count_only = false;  // COUNT: the HA/R0 line and the counts, no keys or data
    ListingDevice device = ListingDevice::Console;
};

// A point of a PRINT/TYPE range: cylinder, head and, optionally, a record number.
struct RecordPoint {
    TrackAddress track;
    std::optional<uint8_t> record;  // none: the track's start (as first) or its end (as last)
};

// `PRINT cc1 hh1 [rr1] TO cc2 hh2 [rr2]`: every track from first.track to last.track;
// on the first track from record first.record (0: the HA/R0 line), on the last up to
// and including record last.record.  A record is found by its record number R.
struct ListingRange {
    RecordPoint first;
    RecordPoint last;
};

// Receives the lines of a listing, each with the number of blank lines IBM puts
// before it.  Lines never end in blanks and hold no control characters; an empty line
// is a blank line of its own.
class ListingSink {
public:
    virtual ~ListingSink() = default;
    virtual void line(std::string_view text, unsigned blank_lines_before) = 0;
};

// Where a sink's bytes go.
using ListingOutput = std::function<void(std::string_view bytes)>;

// The console layout (TYPE): each blank line and each line ends in a newline.
class ConsoleLines final : public ListingSink {
public:
    explicit ConsoleLines(ListingOutput out) : out_(std::move(out)) {}
    void line(std::string_view text, unsigned blank_lines_before) override;

private:
    ListingOutput out_;
};

// The 1403 printer layout (PRINT), byte for byte as Hercules' 1403 writes IBM DDR's
// output: pages of 60 print lines; a line that would fall below line 60 (with its blank
// lines) starts a new page instead, with "\r\f" ending the line before it and no blank
// lines above it; blank lines at the top of the first page are dropped too.  finish()
// ends the last line.
class PrinterPages final : public ListingSink {
public:
    static constexpr unsigned kLinesPerPage = 60;
    explicit PrinterPages(ListingOutput out) : out_(std::move(out)) {}
    void line(std::string_view text, unsigned blank_lines_before) override;
    void finish();

private:
    ListingOutput out_;
    unsigned row_ = 0;  // page line of the last line written; 0: none yet
};

// One track as a source hands it over.
struct SourceTrack {
    TrackAddress address;  // the track's address: its slot on a volume, its THR's HA on a tape
    TrackImage image;      // Hercules' layout, with any Hercules overflow flag cleared
    bool eav_form = false; // counts' CCHH in EAV form (15-head devices)
    // Cylinders and heads shown as VM/370 DDR shows them (three and two digits of the
    // signed halfwords CC and HH): set for volumes of up to 1,000 cylinders, the devices
    // of its day; larger ones show whole numbers (man/ddr.1).
    bool ibm_digits = true;
};

// The tracks of a volume or a dump, in ascending order.
class TrackSource {
public:
    virtual ~TrackSource() = default;
    // Sets `out` to the next track at or after `from` and not after `to` and returns
    // true; false when the source has no more such tracks.  Calls ask for ascending
    // addresses.  Errors (unreadable track, damaged tape) are thrown as ddr::Error.
    virtual bool next(TrackAddress from, TrackAddress to, SourceTrack& out) = 0;
};

// How a listing ended.
struct ListingOutcome {
    uint64_t tracks = 0;                      // tracks listed
    std::optional<RecordPoint> not_found;     // a record the range names that is not there
};

// Lists `track` under `options`, from record `first` (none or 0: from the HA/R0 line)
// up to and including the first record numbered `last` after it (none: to the end of
// the track).  Returns false, having listed nothing, if no record is numbered `first`;
// sets `last_found` to whether a record numbered `last` was reached.
bool list_track(const SourceTrack& track, std::optional<uint8_t> first, std::optional<uint8_t> last,
                const ListingOptions& options, ListingSink& sink, bool& last_found);

// Lists every track of `range` that `source` has, track by track.  A record the range
// names that is not on its track ends the listing (after the track's records, when it
// is the range's last record) and is returned in `not_found`: the caller says so, as
// IBM's DDR does on its console (record_not_found_message).
ListingOutcome print_tracks(TrackSource& source, const ListingRange& range, const ListingOptions& options,
                            ListingSink& sink);

// IBM's DMKDDR721E, naming the record: "DMKDDR721E RECORD NOT FOUND: CYL 001 HD 04 REC 011".
std::string record_not_found_message(const RecordPoint& record);

// IBM's closing line of a PRINT (three blank lines, then END OF PRINT).
void end_of_print(ListingSink& sink);
// The end of a TYPE: one blank line, before DDR's next prompt.
void end_of_type(ListingSink& sink);

// Lists FBA blocks (this project's layout in IBM's hex/character style): for each
// 512-byte block of `blocks`, numbered from `first_block`, a "BLOCK n" line and its
// bytes as IBM shows a record's data.  COUNT shows the block lines alone.
void list_fba_blocks(uint64_t first_block, ByteSpan blocks, const ListingOptions& options, ListingSink& sink);

// The character a byte shows as in the character column of `device`.
char listing_character(uint8_t byte, ListingDevice device);

} // namespace ddr
