#include "ddr/cmd_print.hpp"

#include "ddr/exit_codes.hpp"
#include "ddr/inputs.hpp"
#include "ddr/outputs.hpp"
#include "ddr/shadow_option.hpp"
#include "ddr/track_source.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/interrupt.hpp"
#include "formats/volume/volume.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unistd.h>

namespace ddr {

namespace {

// ---- the output ----

// Standard output, or a file written under a temporary name that takes its name when
// the listing is complete (an existing file is replaced only with --overwrite).
class ListingFile {
public:
    ListingFile(const std::string& path, bool overwrite) : path_(path.empty() ? "-" : path)
    {
        if (path_ == "-") {
            out_ = stdout;
            return;
        }
        if (path_exists(path_) && !overwrite)
            fail(ErrorKind::Refused, file_place(path_), "the listing file already exists (--overwrite replaces it)");
        pending_.emplace(path_, overwrite ? CommitRule::Replace : CommitRule::NoReplace, 0666);
        const int fd = ::dup(pending_->fd());
        out_ = fd < 0 ? nullptr : ::fdopen(fd, "w");
        if (!out_) {
            if (fd >= 0)
                ::close(fd);
            fail(ErrorKind::WriteFailed, file_place(path_), std::string("cannot create it: ") + std::strerror(errno));
        }
    }
    ~ListingFile()
    {
        if (out_ && out_ != stdout)
            std::fclose(out_);
    }
    ListingFile(const ListingFile&) = delete;
    ListingFile& operator=(const ListingFile&) = delete;

    void write(std::string_view bytes)
    {
        if (std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size())
            fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the listing");
    }

    // Flushes the listing and gives a file its name.
    void commit()
    {
        if (std::fflush(out_) != 0)
            fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the listing");
        if (!pending_)
            return;
        const int closed = std::fclose(out_);
        out_ = nullptr;
        if (closed != 0)
            fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the listing");
        pending_->commit();
    }

private:
    std::string path_;
    std::optional<PendingFile> pending_;
    std::FILE* out_ = nullptr;
};

// The sink of the device the command lists for, writing to `file`.
struct DeviceSink {
    std::unique_ptr<ConsoleLines> console;
    std::unique_ptr<PrinterPages> printer;

    DeviceSink(ListingDevice device, const ListingOutput& write)
    {
        if (device == ListingDevice::Printer)
            printer = std::make_unique<PrinterPages>(write);
        else
            console = std::make_unique<ConsoleLines>(write);
    }
    ListingSink& sink() { return printer ? static_cast<ListingSink&>(*printer) : *console; }
};

// ---- the range ----

// The numbers before and after TO, as given (--from/--to or IBM's form).
struct RangeSpec {
    std::vector<uint32_t> from, to;
};

uint32_t parse_number(const std::string& token)
{
    if (token.empty() || token.size() > 9 || !std::all_of(token.begin(), token.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        }))
        fail(ErrorKind::Usage, "'" + token + "' is not a number (the range is C H R TO C H R)");
    return uint32_t(std::stoul(token));
}

// IBM's "cc1 [hh1 [rr1]] [TO cc2 [hh2 [rr2]]]", or --from and --to.
RangeSpec range_spec(const PrintOptions& o)
{
    if (o.ibm_range.empty())
        return {o.from, o.to};
    if (!o.from.empty() || !o.to.empty())
        fail(ErrorKind::Usage, "give the range either after SOURCE or with --from/--to, not both");
    RangeSpec s;
    bool after_to = false;
    for (const std::string& token : o.ibm_range) {
        if (token == "TO" || token == "to" || token == "To") {
            if (after_to || s.from.empty())
                fail(ErrorKind::Usage, "a range is C H R TO C H R: TO stands once, after the first point");
            after_to = true;
            continue;
        }
        (after_to ? s.to : s.from).push_back(parse_number(token));
    }
    if (after_to && s.to.empty())
        fail(ErrorKind::Usage, "nothing after TO in the range");
    return s;
}

// A track and record, for ordering: a missing first record is the track's start, a
// missing last record its end.
std::pair<TrackAddress, unsigned> order_of(const RecordPoint& p, unsigned missing)
{
    return {p.track, p.record ? unsigned(*p.record) : missing};
}

RecordPoint record_point(const std::vector<uint32_t>& n, uint32_t missing_head)
{
    if (n.size() > 2 && n[2] > 255)
        fail(ErrorKind::Usage, "record " + std::to_string(n[2]) + ": record numbers go up to 255");
    RecordPoint p;
    p.track = {n[0], n.size() > 1 ? n[1] : missing_head};
    if (n.size() > 2)
        p.record = uint8_t(n[2]);
    return p;
}

std::string point_text(const RecordPoint& p)
{
    std::string s = "cyl " + std::to_string(p.track.cyl) + " head " + std::to_string(p.track.head);
    return p.record ? s + " record " + std::to_string(*p.record) : s;
}

// The CKD range of `s` on a volume of `cylinders` x `heads` (`what` names it): no range
// is every track; a first point alone is its cylinder, track or record.
ListingRange ckd_range(const RangeSpec& s, uint32_t cylinders, uint32_t heads, const std::string& what)
{
    if (cylinders == 0 || heads == 0)
        fail(ErrorKind::Unreadable, what + " has no tracks");
    if (s.from.empty())
        return {{{0, 0}, std::nullopt}, {{cylinders - 1, heads - 1}, std::nullopt}};
    if (s.from.size() > 3 || s.to.size() > 3)
        fail(ErrorKind::Usage, "a CKD range point is C [H [R]]: cylinder, head, record");
    const ListingRange r{record_point(s.from, 0), record_point(s.to.empty() ? s.from : s.to, heads - 1)};
    if (order_of(r.last, 255) < order_of(r.first, 0))
        fail(ErrorKind::Usage, "the range is out of order: " + point_text(r.last) + " comes before " +
                                   point_text(r.first));
    for (const RecordPoint& p : {r.first, r.last}) {
        if (p.track.cyl >= cylinders || p.track.head >= heads)
            fail(ErrorKind::Usage, point_text(p) + " is beyond " + what + " (" + std::to_string(cylinders) +
                                       " cylinders of " + std::to_string(heads) + " tracks)");
    }
    return r;
}

// The FBA blocks of `s` on a volume of `blocks` blocks: [first, last].
std::pair<uint64_t, uint64_t> fba_range(const RangeSpec& s, uint64_t blocks, const std::string& what)
{
    if (blocks == 0)
        fail(ErrorKind::Unreadable, what + " has no blocks");
    if (s.from.size() > 1 || s.to.size() > 1)
        fail(ErrorKind::Usage, "an FBA range is BLOCK TO BLOCK");
    const uint64_t first = s.from.empty() ? 0 : s.from[0];
    const uint64_t last = !s.to.empty() ? s.to[0] : !s.from.empty() ? s.from[0] : blocks - 1;
    if (last < first)
        fail(ErrorKind::Usage, "the range is out of order: block " + std::to_string(last) + " comes before block " +
                                   std::to_string(first));
    if (last >= blocks)
        fail(ErrorKind::Usage, "block " + std::to_string(last) + " is beyond " + what + " (" +
                                   std::to_string(blocks) + " blocks)");
    return {first, last};
}

ListingOptions listing_options(const PrintOptions& o)
{
    ListingOptions l;
    l.device = o.device;
    l.count_only = o.count;
    if (o.hex || o.graphic) {
        l.hex = o.hex;
        l.graphic = o.graphic;
    }
    return l;
}

// ---- the listings ----

// Lists the CKD range from `source`; Error(Usage) if the source has no track of it.
ListingOutcome list_ckd(TrackSource& source, const ListingRange& range, const ListingOptions& options,
                        ListingSink& sink, const std::string& name)
{
    const ListingOutcome outcome = print_tracks(source, range, options, sink);
    if (outcome.tracks == 0 && !outcome.not_found)
        fail(ErrorKind::Usage, file_place(name), "no track from " + point_text(range.first) + " to " +
                                                     point_text(range.last) + " is in it");
    return outcome;
}

void list_fba_volume(FbaVolumeReader& volume, std::pair<uint64_t, uint64_t> range, const ListingOptions& options,
                     ListingSink& sink)
{
    constexpr uint64_t kChunk = 120;
    Bytes blocks;
    for (uint64_t first = range.first; first <= range.second; first += kChunk) {
        check_interrupted();
        const uint64_t n = std::min(kChunk, range.second - first + 1);
        blocks.resize(size_t(n) * kFbaBlockSize);
        volume.read_blocks(first, blocks);
        list_fba_blocks(first, blocks, options, sink);
    }
}

// The blocks of an FBA dump's groups within `range`, by the block numbers on the tape.
void list_fba_dump(DumpReader& reader, std::pair<uint64_t, uint64_t> range, const ListingOptions& options,
                   ListingSink& sink)
{
    Bytes data;
    for (DumpReader::Item item; (item = reader.next()) != DumpReader::Item::End;) {
        if (item != DumpReader::Item::FbaGroup)
            fail(ErrorKind::Unreadable, reader.place(), "a CKD track in an FBA dump");
        const FbaGroupDecoder& g = reader.fba_group();
        const uint64_t first = std::max<uint64_t>(g.first_block(), range.first);
        const uint64_t last = std::min<uint64_t>(uint64_t(g.first_block()) + g.count() - 1, range.second);
        if (g.first_block() > range.second)
            return;
        if (first > last)
            continue;
        data.resize(size_t(g.count()) * kFbaBlockSize);
        g.copy_data(data);
        list_fba_blocks(first, ByteSpan(data).subspan(size_t(first - g.first_block()) * kFbaBlockSize,
                                                     size_t(last - first + 1) * kFbaBlockSize),
                        options, sink);
    }
}

ListingOutcome list_tape(const PrintOptions& o, const RangeSpec& spec, const ListingOptions& options, ListingSink& sink)
{
    DumpReader reader({o.source});
    reader.skip_files(o.file - 1);
    if (!reader.start_dump())
        fail(ErrorKind::Unreadable, file_place(o.source), "no dump " + std::to_string(o.file) + " on this tape");
    if (reader.fba()) {
        list_fba_dump(reader, fba_range(spec, uint64_t(UINT32_MAX) + 1, "the tape"), options, sink);
        return {};
    }
    const DdrVolumeHeader& vhr = reader.vhr();
    const ListingRange range = ckd_range(spec, uint32_t(vhr.cyla) + 1, uint32_t(vhr.mtck) + 1, "the dumped device");
    DumpTrackSource source(reader);
    return list_ckd(source, range, options, sink, o.source);
}

ListingOutcome list_volume(const PrintOptions& o, const RangeSpec& spec, const ListingOptions& options,
                           ListingSink& sink)
{
    if (looks_like_ckd_volume(o.source)) {
        auto volume = open_ckd_volume(o.source, input_volume(o.sf));
        const CkdVolumeInfo& info = volume->info();
        VolumeTrackSource source(*volume);
        return list_ckd(source, ckd_range(spec, info.cylinders, info.heads, "the volume"), options, sink, o.source);
    }
    auto volume = open_fba_volume(o.source, input_volume(o.sf));
    list_fba_volume(*volume, fba_range(spec, volume->info().blocks, "the volume"), options, sink);
    return {};
}

// Registers one of the two commands.
void add_command(CLI::App& app, std::function<int(Reporter&)>& action, ListingDevice device)
{
    const bool print = device == ListingDevice::Printer;
    auto o = std::make_shared<PrintOptions>();  // lives as long as the action that reads it
    o->device = device;
    CLI::App* cmd = app.add_subcommand(print ? "print" : "type",
                                       print ? "list tracks as IBM DDR's PRINT does (1403 printer layout)"
                                             : "list tracks as IBM DDR's TYPE does (console layout)");
    cmd->add_option("SOURCE", o->source, "a volume image (CKD, CCKD, FBA, CFBA) or a DDR tape (AWS, HET)")->required();
    add_shadow_option(*cmd, o->sf);
    cmd->add_option("RANGE", o->ibm_range, "IBM's form: C [H [R]] [TO C [H [R]]] (FBA: BLOCK [TO BLOCK])");
    cmd->add_option("--from", o->from, "first cylinder [head [record]] (FBA: block)")->expected(1, 3);
    cmd->add_option("--to", o->to, "last cylinder [head [record]] (FBA: block)")->expected(1, 3);
    cmd->add_flag("--hex", o->hex, "the hex columns (IBM HEX)");
    cmd->add_flag("--graphic", o->graphic, "the character column (IBM GRAPHIC)");
    cmd->add_flag("--count", o->count, "only the home addresses and counts (IBM COUNT)");
    cmd->add_option("-o,--output", o->output, "write the listing to FILE (default: standard output)");
    cmd->add_flag("--overwrite", o->overwrite, "replace an existing output file");
    cmd->add_option("--file", o->file, "a tape's Nth dump (IBM SKIP N-1); default 1")->check(CLI::PositiveNumber);
    cmd->callback([o, &action] { action = [o](Reporter& r) { return run_print(*o, r); }; });
}

} // namespace

void add_print_commands(CLI::App& app, std::function<int(Reporter&)>& action)
{
    add_command(app, action, ListingDevice::Printer);
    add_command(app, action, ListingDevice::Console);
}

std::optional<RecordPoint> write_listing(const PrintOptions& o, const ListingOutput& write)
{
    const RangeSpec spec = range_spec(o);
    const ListingOptions options = listing_options(o);
    const bool tape = is_tape_input(o.source);
    if (tape)
        refuse_shadow_option_for_tape(o.sf, o.source);
    DeviceSink out(o.device, write);
    const ListingOutcome outcome = tape ? list_tape(o, spec, options, out.sink())
                                        : list_volume(o, spec, options, out.sink());
    // IBM types DMKDDR721E on the console, where TYPE lists; a PRINT stops without END OF PRINT.
    if (outcome.not_found && out.console)
        out.console->line(record_not_found_message(*outcome.not_found), 1);
    if (out.console)
        end_of_type(*out.console);
    if (out.printer) {
        if (!outcome.not_found)
            end_of_print(*out.printer);
        out.printer->finish();
    }
    return outcome.not_found;
}

void fail_record_not_found(const PrintOptions& o, const RecordPoint& p)
{
    fail(ErrorKind::Usage, file_place(o.source).with_track(p.track.cyl, p.track.head),
         "record " + std::to_string(p.record.value_or(0)) + " is not on the track (IBM: " +
             record_not_found_message(p) + ")");
}

int run_print(const PrintOptions& o, Reporter& reporter)
{
    refuse_json_with_stdout({o.output.empty() ? std::string("-") : o.output}, "the listing (--output)", reporter);
    Json& facts = reporter.facts();
    facts["source"] = o.source;
    facts["output"] = o.output;
    facts["layout"] = o.device == ListingDevice::Printer ? "printer" : "console";
    if (!o.output.empty() && o.output != "-") {
        check_output_is_not_input(o.output, {o.source});
        clear_leftovers_beside(o.output, reporter);
    }
    ListingFile file(o.output, o.overwrite);
    const std::optional<RecordPoint> not_found =
        write_listing(o, [&file](std::string_view bytes) { file.write(bytes); });
    file.commit();
    facts["record_found"] = !not_found;
    if (not_found)
        fail_record_not_found(o, *not_found);
    return kExitOk;
}

} // namespace ddr
