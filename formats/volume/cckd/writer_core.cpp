#include "formats/volume/cckd/writer_core.hpp"

#include "formats/io/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

namespace ddr::cckd {

namespace {

void set_mode(FileHandle& file, unsigned mode)
{
    if (::fchmod(file.fd(), mode) != 0)
        fail(ErrorKind::WriteFailed, file_place(file.path()), std::string("cannot set permissions: ") + std::strerror(errno));
}

} // namespace

WriterCore::WriterCore(std::string target, BuildLayout layout, CckdCompression method, int level, unsigned threads,
                       Rules rules)
    : target_(std::move(target)), rules_(std::move(rules))
{
    if (path_exists(target_))
        fail(ErrorKind::Refused, file_place(target_), "file exists; a new image never replaces an existing file");
    start(std::move(layout), method, level, threads, 0644);
}

WriterCore::WriterCore(std::unique_ptr<Container> source, BuildLayout layout, CckdCompression method, int level,
                       unsigned threads, Rules rules)
    : target_(source->path()), source_(std::move(source)), rules_(std::move(rules))
{
    struct stat st {};
    if (::fstat(source_->file().fd(), &st) != 0)
        fail(ErrorKind::ReadFailed, file_place(target_), std::string("cannot get its permissions: ") + std::strerror(errno));
    start(std::move(layout), method, level, threads, unsigned(st.st_mode) & 07777u);
}

WriterCore::~WriterCore()
{
    // Stop the workers before the builder and the file they feed go away.
    pipeline_.reset();
}

void WriterCore::start(BuildLayout layout, CckdCompression method, int level, unsigned threads, unsigned mode)
{
    mode_ = mode;
    layout.target = target_;
    temp_ = std::make_unique<TempFile>(target_, mode_);
    if (source_)
        set_mode(temp_->file(), mode_);
    builder_ = std::make_unique<Builder>(temp_->file(), std::move(layout));
    submitted_.assign(size_t(builder_->layout().units), false);
    if (threads == 0)
        threads = default_compression_threads();
    pipeline_ = std::make_unique<Pipeline>(threads, method, level, [this](const Job& job) { sink(job); });
}

void WriterCore::sink(const Job& job)
{
    if (job.type == Job::Type::Null)
        builder_->set_null(job.unit, job.null_format);
    else
        builder_->append(job.unit, job.image());
}

WriterCore::Origin WriterCore::origin(uint64_t unit, L2Entry& entry, uint8_t& null_format)
{
    if (submitted_[size_t(unit)]) {
        settle();
        entry = builder_->entry(unit);
        null_format = uint8_t(entry.len);
        return Origin::Written;
    }
    if (source_ && unit >= cursor_)
        return Origin::Source;
    entry = L2Entry{0, builder_->default_null(), builder_->default_null()};
    null_format = builder_->default_null();
    return Origin::Default;
}

void WriterCore::claim(uint64_t unit)
{
    if (!source_ || unit < cursor_)
        return;
    copy_through(unit);
    cursor_ = unit + 1;
}

void WriterCore::copy_through(uint64_t upto)
{
    const bool ckd = source_->kind().flavor == Flavor::Ckd;
    // A group of the original with no L2 table reads, untouched, as the new image's
    // default when their null formats agree (always for FBA): nothing to copy.  An
    // update of a mostly empty volume (the largest EAV has 69,259 groups) stays fast and holds
    // no tables for those groups.
    const bool skip_null_groups = !ckd || source_->header().nullfmt == builder_->default_null();
    for (; cursor_ < upto; ++cursor_) {
        const uint64_t u = cursor_;
        if (skip_null_groups && source_->in_null_group(u)) {
            cursor_ = std::min(upto, (u / kL2Entries + 1) * kL2Entries) - 1;
            continue;
        }
        Place where = rules_.place(u);
        where.file = source_->path();
        const Container::Slot slot = source_->locate(u, where);
        if (slot.null()) {
            submit_null(u, ckd ? slot.null_format : uint8_t(0));
            continue;
        }
        Job& job = pipeline_->prepare();
        job.type = Job::Type::Stored;
        job.unit = u;
        job.stored.resize(slot.entry.len);
        where.offset = slot.entry.pos;
        try {
            source_->file().read_exact(slot.entry.pos, job.stored);
        } catch (const Error& e) {
            throw e.within(where);
        }
        rules_.check_copied(u, job, where);
        submitted_[size_t(u)] = true;
        pipeline_->submit();
    }
}

void WriterCore::submit_null(uint64_t unit, uint8_t fmt)
{
    Job& job = pipeline_->prepare();
    job.type = Job::Type::Null;
    job.unit = unit;
    job.null_format = fmt;
    submitted_[size_t(unit)] = true;
    pipeline_->submit();
}

void WriterCore::submit_raw(uint64_t unit, ByteSpan raw)
{
    Job& job = pipeline_->prepare();
    job.type = Job::Type::Compress;
    job.unit = unit;
    job.raw.assign(raw.begin(), raw.end());
    submitted_[size_t(unit)] = true;
    pipeline_->submit();
}

void WriterCore::settle()
{
    pipeline_->drain();
    builder_->flush();
}

void WriterCore::commit()
{
    if (source_)
        copy_through(builder_->layout().units);
    pipeline_->drain();
    if (builder_->garbage() == 0) {
        builder_->finish();
        committed_size_ = builder_->end();
        if (source_)
            temp_->commit_replace(target_);
        else
            temp_->commit_new(target_);
    } else {
        // Some unit was written twice: copy the live images into a file without holes.
        TempFile packed(target_, mode_);
        if (source_)
            set_mode(packed.file(), mode_);
        Builder compact(packed.file(), builder_->layout());
        copy_live(*builder_, temp_->file(), compact);
        compact.finish();
        committed_size_ = compact.end();
        if (source_)
            packed.commit_replace(target_);
        else
            packed.commit_new(target_);
        temp_->discard();
    }
    committed_ = true;
}

BuildLayout fresh_layout(const Kind& kind, const DeviceHeader& devhdr, uint32_t cyls, uint8_t nullfmt, uint64_t units,
                         CckdCompression method, int level, const char* too_big)
{
    BuildLayout layout;
    layout.kind = kind;
    layout.devhdr = devhdr;
    layout.devhdr.file_sequence = 0;
    layout.devhdr.last_cylinder = 0;
    CompressedHeader& h = layout.cdevhdr;
    h.options = kind.wide ? kFreshOptions64 : kFreshOptions32;
    h.cyls = cyls;
    h.nullfmt = nullfmt;
    h.compress = uint8_t(method);
    h.compress_parm = uint16_t(int16_t(level));  // -1 = 0xFFFF, "the default"
    layout.units = units;
    layout.max_file_size = kind.wide ? kMaxFileSize64 : kMaxFileSize32;
    layout.too_big = too_big;
    return layout;
}

UpdateSource open_for_update(const std::string& path, Flavor flavor)
{
    std::error_code ec;
    const auto real = std::filesystem::canonical(path, ec);
    if (ec)
        fail(ErrorKind::ReadFailed, file_place(path), "cannot open: " + ec.message());
    UpdateSource u;
    u.container = std::make_unique<Container>(real.string());
    const Kind& kind = u.container->kind();
    if (kind.flavor != flavor)
        fail(ErrorKind::Device, file_place(path),
             "is a compressed " + std::string(kind.flavor == Flavor::Ckd ? "CKD" : "FBA") + " image (" + kind.magic +
                 "), not " + (flavor == Flavor::Ckd ? "CKD" : "FBA"));
    const CompressedHeader& h = u.container->header();
    if (h.compress <= uint8_t(CckdCompression::Bzip2))
        u.method = CckdCompression(h.compress);
    const int level = int16_t(h.compress_parm);
    u.level = (level >= -1 && level <= 9) ? level : -1;
    if (u.method == CckdCompression::Bzip2 && u.level == 0)
        u.level = -1;
    return u;
}

} // namespace ddr::cckd
