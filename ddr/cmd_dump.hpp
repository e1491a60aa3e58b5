// ddr dump: a volume image to DDR tape (IBM's DUMP).
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"
#include "formats/io/cchh.hpp"
#include "formats/tape/tape.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

struct DumpOptions {
    std::string source;
    std::optional<std::string> sf;            // Hercules' sf= name: read the source with its shadow files
    std::vector<std::string> tapes;           // successive reels; "-" = standard output
    // Further tape sets written from the same read, byte-identical to `tapes` (same TOD,
    // same trailer), each with as many reels; a set that fails to write is dropped.
    std::vector<std::vector<std::string>> mirror_tapes;
    bool snapshot = false;                    // read an instant copy (reflink) of the source's files
    std::vector<std::string> extents;         // A, A-B, A-B:C; empty = ALL primary cylinders
    std::vector<std::string> blocks;          // FBA: block extents A, A-B, A-B:C; empty = all
    std::optional<uint64_t> reorder;          // --reorder C for a single extent
    std::optional<std::string> devtype;       // model when the image cannot tell (3330 vs 3330-11)
    std::optional<std::string> volser;        // the source volume's expected volser
    std::vector<uint64_t> reel_sizes;         // bytes per reel, the last repeating; 0 = no limit
    std::optional<uint64_t> eot_margin;       // bytes held back before the end of a reel
    TapeWriterOptions tape;                   // container, overwrite, append
    bool tape_format_given = false;           // --format given (else --append keeps the tape's own)
    bool pure = false;                        // IBM-identical tape: no checksum trailer
    std::optional<std::string> manifest;      // also write the source's manifest here
    bool cpvol = false;                       // IBM's DUMP CPVOL: cylinder 0 and the PERM and
                                              // directory-in-use cylinders of a CP-formatted volume
    bool nucleus = false;                     // IBM's DUMP NUCLEUS: the checkpoint record and the
                                              // nucleus cylinders it names
    bool resume = false;                      // continue the interrupted dump its resume record describes
    double record_interval = 0;               // seconds between resume records (0: keep none; the
                                              // command line's default is 5)
};

// What a dump wrote, for a caller that reports it without reading the tape back (ddr
// run's printer page: a tape drive cannot be read again without repositioning).
struct DumpWritten {
    uint64_t tod = 0;                                            // the VHR's TOD clock
    std::vector<TrackAddress> reel_changes;                      // each EOV's address, in reel order
    std::vector<std::pair<uint64_t, uint64_t>> output_runs;      // output cylinders (FBA: blocks), merged runs
};

// Registers `ddr dump SOURCE TAPE...` on `app`; when it is the one chosen, sets `action`.
void add_dump_command(CLI::App& app, CommandAction& action);

// Returns the exit code: 0; kExitWrite when a tape set failed but another is complete
// (the complete ones are named in a warning); kExitSourceChanged when the source's files
// changed while they were read (the tapes are complete; a warning says what changed).
// Other errors are thrown as ddr::Error, most before a byte is written.  Facts (see
// report_dump_sets): "sets", "source_changed", "source_changes", "snapshot".
// `written`, if given, is filled once the dump is complete.
int run_dump(const DumpOptions& options, Reporter& reporter, DumpWritten* written = nullptr);

// What the reports of dump and copy share (man/ddr.1, JSON REPORTS): extents as
// [{"first","last","to"}], and the reels a writer wrote, each with its tape blocks, bytes,
// reel hash (when `checksums` wrote a trailer) and units (`reel_units`, or else the
// groups on it).
struct Extent;
class DdrReelWriter;
class DumpChecksumWriter;
Json extents_facts(const std::vector<Extent>& extents);
Json reels_facts(const DdrReelWriter& writer, const DumpChecksumWriter* checksums,
                 const std::vector<uint64_t>& reel_units = {});

} // namespace ddr
