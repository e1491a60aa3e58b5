#include "ddr/run_tapes.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/volume/volume_label.hpp"

#include <sys/stat.h>

namespace ddr {

DumpHead read_dump_head(const std::vector<std::string>& reels, uint64_t dumps_before)
{
    DumpReader reader(reels);
    reader.skip_files(dumps_before);
    if (!reader.start_dump())
        fail(ErrorKind::Reel, file_place(reels.front()),
             "no dump " + std::to_string(dumps_before + 1) + " on the tape (" + counted(dumps_before, "dump") +
                 " passed over first)");
    DumpHead head{reader.vhr(), 1};
    // A later reel whose first dump is from the same TOD clock continues this one.
    // One that cannot be read as a dump is not this dump's either: if the dump needs it,
    // the restore stops at the EOV that asks for it.
    for (size_t i = 1; i < reels.size(); ++i) {
        try {
            DumpReader next({reels[i]});
            if (!next.start_dump() || next.vhr().tod != head.vhr.tod)
                break;
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::Interrupted)
                throw;
            break;
        }
        head.reels = unsigned(i + 1);
    }
    return head;
}

uint64_t dumps_on_tape(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || st.st_size == 0)
        return 0;
    DumpReader reader({path});
    uint64_t n = 0;
    while (reader.start_dump()) {
        ++n;
        if (!scan_dump(reader).ended)
            break;
    }
    return n;
}

std::string volser_of_dump(const std::string& path, uint64_t dumps_before)
{
    DumpReader reader({path});
    reader.skip_files(dumps_before);
    if (!reader.start_dump())
        fail(ErrorKind::Reel, file_place(path), "no dump " + std::to_string(dumps_before + 1) + " on the tape");
    return volser_to_ascii(reader.vhr().volser);
}

std::vector<console::ExtentRow> rows_split_at_reels(const std::vector<stmt::Extent>& extents,
                                                    const std::vector<TrackAddress>& reel_changes)
{
    std::vector<console::ExtentRow> rows;
    for (const stmt::Extent& e : extents) {
        console::ExtentRow row{e.first, e.last, e.output_first(), e.output_last()};
        for (const TrackAddress& at : reel_changes) {
            if (at.cyl < row.out_first || at.cyl > row.out_last || (at.cyl == row.out_first && at.head == 0))
                continue;
            const uint32_t in_at = row.in_first + (at.cyl - row.out_first);
            rows.push_back({row.in_first, in_at, row.out_first, at.cyl});
            row.in_first = in_at;
            row.out_first = at.cyl;
        }
        rows.push_back(row);
    }
    return rows;
}

uint64_t files_before(const DriveStatus& status, const std::string& drive)
{
    if (status.file < 0 || status.block < 0)
        fail(ErrorKind::Usage, file_place(drive), "the driver has lost count of where the tape stands: rewind it "
                                                  "(mt rewind) or space it to a tape file's start (mt fsf N) first");
    if (status.block > 0)
        fail(ErrorKind::Usage, file_place(drive),
             "the tape stands inside tape file " + std::to_string(status.file + 1) + " (after its block " +
                 std::to_string(status.block) + "), not at the start of a dump: rewind it or space it to a tape "
                 "file's start (mt fsf N) first");
    return uint64_t(status.file);
}

std::optional<uint64_t> drive_position(const std::string& path, bool for_writing)
{
    const std::unique_ptr<TapeDrive> drive = open_tape_drive(path, for_writing);
    if (!drive)
        return std::nullopt;
    DriveStatus status;
    if (const int err = drive->status(status); err != 0)
        fail(for_writing ? ErrorKind::WriteFailed : ErrorKind::ReadFailed, file_place(path),
             "cannot ask the drive where the tape stands (MTIOCGET): " + os_error_text(-err));
    return files_before(status, path);
}

void place_drive(const std::string& path, stmt::Disposition disposition, uint64_t files)
{
    const std::unique_ptr<TapeDrive> drive = open_tape_drive(path, false);
    if (!drive)
        return;
    int err = disposition == stmt::Disposition::Unload ? drive->unload() : drive->rewind();
    if (err == 0 && disposition == stmt::Disposition::Leave && files > 0)
        err = drive->forward_space_files(unsigned(files));
    if (err != 0)
        fail(ErrorKind::ReadFailed, file_place(path),
             std::string(disposition == stmt::Disposition::Unload   ? "cannot unload the tape"
                         : disposition == stmt::Disposition::Rewind ? "cannot rewind the tape"
                                                                    : "cannot leave the tape after the dump") +
                 ": " + os_error_text(-err));
}

std::vector<stmt::Extent> extents_of_runs(const DumpSummary& summary)
{
    std::vector<stmt::Extent> extents;
    for (auto [first, last] : summary.cylinder_ranges)
        extents.push_back({first, last, std::nullopt});
    return extents;
}

} // namespace ddr
