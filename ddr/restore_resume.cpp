#include "ddr/restore_resume.hpp"

#include "formats/ddrtape/records.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/tod.hpp"
#include "formats/io/wording.hpp"
#include "formats/io/xxh3.hpp"
#include "formats/volume/volume_label.hpp"

namespace ddr {

namespace {

// "VOLA01 (dumped 2026-12-03 18:49:32 UTC, file 1)": the dump a record continues.
std::string recorded_dump(const ResumeRecord& r)
{
    return (r.dump_volser.empty() ? std::string("(blank)") : r.dump_volser) + " (dumped " + format_tod_utc(r.dump_tod) +
           ", file " + std::to_string(r.dump_file) + ")";
}

bool all_exist(const std::vector<std::string>& paths)
{
    for (const std::string& p : paths)
        if (!is_regular_file(p))
            return false;
    return true;
}

// Without --resume: a record is kept only where --resume could still use it.
std::optional<ResumeRecord> without_resume(const RestoreOptions& options, const std::optional<ResumeRecord>& record,
                                           const std::string& record_path, bool target_present, bool target_busy,
                                           Reporter& reporter)
{
    if (!record)
        return std::nullopt;
    const std::vector<std::string> temps = recorded_temporaries(*record, record_path);
    if (record->kind == ResumeKind::RestoreNewImage && !target_present && all_exist(temps))
        fail(ErrorKind::Refused, file_place(options.target),
             "an interrupted restore of " + recorded_dump(*record) + " left this image unfinished in " + temps.front() +
                 " (" + record_path + " records how far): run the same restore with --resume to continue it, or "
                 "remove both to start over");
    if (record->kind == ResumeKind::RestoreInPlace && target_busy) {
        reporter.note(record_path + " could have continued the unfinished restore after " +
                      recorded_units(*record) + " (--resume); without --resume it is removed and "
                      "every unit written again");
        remove_resume_record(record_path);
        return std::nullopt;
    }
    remove_resume_record(record_path);
    reporter.note("removed " + record_path + ": what it continues is no longer there");
    return std::nullopt;
}

// With --resume: the record must be there and fit the target as it is now.
ResumeRecord with_resume(const RestoreOptions& options, const std::optional<ResumeRecord>& record,
                         const std::string& record_path, bool target_present, bool target_busy)
{
    if (options.nucleus)
        fail(ErrorKind::Usage, "--resume does not continue a NUCLEUS restore: run it again without --resume");
    if (!record)
        fail(ErrorKind::Refused, file_place(options.target),
             "--resume: no resume record " + record_path + " beside it, so there is nothing to continue" +
                 (target_present && !target_busy
                      ? std::string(" (an interrupted restore into a compressed image leaves it unchanged, and one "
                                    "that completed leaves no record)")
                      : std::string()) +
                 "; run the restore without --resume");
    if (record->kind == ResumeKind::RestoreInPlace && !target_busy)
        fail(ErrorKind::Refused, file_place(record_path),
             "records a restore into " + options.target + " in place, but no restore into it is unfinished: nothing "
             "to continue; remove the record");
    if (record->kind == ResumeKind::RestoreNewImage) {
        if (target_present)
            fail(ErrorKind::Refused, file_place(options.target),
                 "exists, but " + record_path + " continues a new image to be made under this name; not replacing it");
        for (const std::string& t : recorded_temporaries(*record, record_path))
            if (!is_regular_file(t))
                fail(ErrorKind::Refused, file_place(record_path),
                     "names the unfinished image " + t + ", which is gone: nothing to continue; remove the record "
                     "and restore without --resume");
    }
    return *record;
}

} // namespace

std::string recorded_units(const ResumeRecord& record)
{
    return counted(record.units_done, record.fba ? "FBA block group" : "track");
}

std::vector<std::string> recorded_temporaries(const ResumeRecord& record, const std::string& record_path)
{
    std::vector<std::string> paths;
    for (const std::string& name : record.temporaries)
        paths.push_back(folder_of(record_path) + "/" + name);
    return paths;
}

std::string restore_record_path(const std::string& image)
{
    return resume_record_name(image);
}

std::string extents_selection_text(const std::vector<std::string>& extents, const std::vector<std::string>& blocks,
                                   const std::optional<uint64_t>& reorder, const std::optional<std::string>& devtype)
{
    std::string text = "c";
    for (const std::string& e : extents)
        text += "," + e;
    text += "|b";
    for (const std::string& b : blocks)
        text += "," + b;
    text += "|r" + (reorder ? std::to_string(*reorder) : std::string("-"));
    return text + "|d" + devtype.value_or("-");
}

uint64_t text_fingerprint(const std::string& text)
{
    return xxh3_64(ByteSpan(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

uint64_t selection_fingerprint(const RestoreOptions& options)
{
    return text_fingerprint(extents_selection_text(options.extents, options.blocks, options.reorder, options.devtype) +
                            "|f" + options.format);
}

std::optional<ResumeRecord> read_record_for(const std::string& record_path, bool resume, const std::string& command,
                                            const std::string& fresh, Reporter& reporter)
{
    try {
        return read_resume_record(record_path);
    } catch (const Error& e) {
        if (resume || e.kind() != ErrorKind::Unreadable)
            throw Error(e.kind(), e.place(), e.detail() + (resume ? "; " + command + " without --resume" : ""));
        remove_resume_record(record_path);
        reporter.warn(record_path + " is no resume record (" + e.detail() + "): removed; " + fresh);
        return std::nullopt;
    }
}

std::optional<ResumeRecord> take_up_record(const RestoreOptions& options, const std::string& record_path,
                                           bool target_present, bool target_busy, Reporter& reporter)
{
    const std::optional<ResumeRecord> record =
        read_record_for(record_path, options.resume, "restore", "this restore writes everything", reporter);
    if (!options.resume)
        return without_resume(options, record, record_path, target_present, target_busy, reporter);
    return with_resume(options, record, record_path, target_present, target_busy);
}

void check_same_dump(const RestoreOptions& options, const ResumeRecord& record, const DdrVolumeHeader& vhr,
                     const std::string& record_path)
{
    const std::string volser = volser_to_ascii(vhr.volser);
    if (vhr.tod != record.dump_tod || volser != record.dump_volser || options.file != record.dump_file)
        fail(ErrorKind::Reel, file_place(options.tapes.front()),
             "holds dump " + std::to_string(options.file) + " of " + (volser.empty() ? std::string("(blank)") : volser) +
                 " (dumped " + format_tod_utc(vhr.tod) + "), but " + record_path + " continues a restore of " +
                 recorded_dump(record) + ": give the tape of that dump (nothing was written)");
    if (selection_fingerprint(options) != record.selection)
        fail(ErrorKind::Usage, file_place(record_path),
             "continues a restore given other --cylinders, --blocks, --reorder, --devtype or --format than these: "
             "give the same as that run (nothing was written)");
}

ResumeProgress::ResumeProgress(std::string record_path, ResumeRecord record, double interval_seconds, Sync sync)
    : path_(std::move(record_path)),
      record_(std::move(record)),
      interval_(interval_seconds),
      sync_(std::move(sync)),
      last_(std::chrono::steady_clock::now())
{
}

void ResumeProgress::start()
{
    if (!enabled())
        return;
    write_resume_record(path_, record_);
    last_ = std::chrono::steady_clock::now();
}

void ResumeProgress::item_done(uint64_t items)
{
    if (!enabled() || items <= record_.units_done)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_)
        return;
    // The data first, then the record that counts it: a record never runs ahead of the disk.
    record_.frontier = sync_(record_);
    record_.units_done = items;
    write_resume_record(path_, record_);
    last_ = std::chrono::steady_clock::now();
}

void ResumeProgress::finished()
{
    remove_resume_record(path_);
}

} // namespace ddr
