// What the CKD and FBA writers of compressed images share: the temporary file, the
// builder that lays it out, the compression pipeline, and for an update the original
// image whose untouched units are copied through (stored bytes as they are, never
// recompressed) in unit order as the writes move forward.
//
// commit() copies what is left of the original, writes the tables and headers, and
// renames the temporary file into place (a new image refuses to replace an existing
// file; an update replaces its original).  If a unit was written twice its first
// image is dead space; the live images are then copied into a second temporary file
// so that the result has no free space either.  Destroying an uncommitted core
// removes the temporary file(s); the original is never touched before the rename.
#pragma once

#include "formats/volume/cckd/builder.hpp"
#include "formats/volume/cckd/container.hpp"
#include "formats/volume/cckd/pipeline.hpp"
#include "formats/io/error.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddr::cckd {

class WriterCore {
public:
    struct Rules {
        // Where a unit is, for messages (the file is filled in by the core).
        std::function<Place(uint64_t unit)> place;
        // Checks a stored image copied from the original (header, compression code);
        // may turn the job into a null one.  Throws Error(Unreadable) naming the place.
        std::function<void(uint64_t unit, Job& job, const Place& where)> check_copied;
    };

    // A new image at `target` (refused if `target` exists).
    WriterCore(std::string target, BuildLayout layout, CckdCompression method, int level, unsigned threads, Rules rules);
    // An update of the image `source` was opened from (its path is the target).
    WriterCore(std::unique_ptr<Container> source, BuildLayout layout, CckdCompression method, int level,
               unsigned threads, Rules rules);
    ~WriterCore();

    const std::string& target() const { return target_; }
    Builder& builder() { return *builder_; }
    const FileHandle& temp_file() const { return temp_->file(); }
    Container* source() { return source_.get(); }

    enum class Origin { Written, Source, Default };
    // Where the current content of `unit` is: written in this session (`entry` is in
    // the temporary file, which is settled first so it can be read), still in the
    // original (look it up there), or the default null content (`null_format`).
    Origin origin(uint64_t unit, L2Entry& entry, uint8_t& null_format);

    // About to write `unit`: copies the original's units before it that are not copied
    // yet (an update), and marks `unit` as no longer coming from the original.
    void claim(uint64_t unit);
    void submit_null(uint64_t unit, uint8_t fmt);
    // `raw` is the raw stored image: 5-byte header (byte 0 = 0) + data.
    void submit_raw(uint64_t unit, ByteSpan raw);
    // Everything submitted is in the temporary file and readable.
    void settle();
    void commit();
    bool committed() const { return committed_; }
    uint64_t committed_size() const { return committed_size_; }

    // Runs `f`; if it throws, the core is unusable from then on (every later call fails).
    template <class F>
    auto guarded(F&& f) -> decltype(f())
    {
        if (broken_)
            fail(ErrorKind::Internal, file_place(target_), "an earlier error left this image writer unusable");
        if (committed_)
            fail(ErrorKind::Internal, file_place(target_), "image already committed");
        try {
            return f();
        } catch (...) {
            broken_ = true;
            throw;
        }
    }

private:
    void start(BuildLayout layout, CckdCompression method, int level, unsigned threads, unsigned mode);
    void copy_through(uint64_t upto);
    void sink(const Job& job);

    std::string target_;
    std::unique_ptr<Container> source_;
    Rules rules_;
    unsigned mode_ = 0644;
    std::unique_ptr<TempFile> temp_;
    std::unique_ptr<Builder> builder_;
    std::unique_ptr<Pipeline> pipeline_;
    std::vector<bool> submitted_;  // units handed to the pipeline in this session
    uint64_t cursor_ = 0;  // update: units before this one have been copied or written
    bool broken_ = false;
    bool committed_ = false;
    uint64_t committed_size_ = 0;
};

// The layout of a new image of `kind`: fresh options for its width, the header
// fields given, the size limit of its width (`too_big` says what passing it means).
BuildLayout fresh_layout(const Kind& kind, const DeviceHeader& devhdr, uint32_t cyls, uint8_t nullfmt, uint64_t units,
                         CckdCompression method, int level, const char* too_big);

// An existing image opened to be updated, and how its rewritten units are compressed
// (as its header says; zlib if the header names no method we know).
struct UpdateSource {
    std::unique_ptr<Container> container;
    CckdCompression method = CckdCompression::Zlib;
    int level = -1;
};
// Opens `path` for an update.  Symbolic links are resolved first, so that the commit
// replaces the real file rather than the link.  Error(Device) if it is not `flavor`.
UpdateSource open_for_update(const std::string& path, Flavor flavor);

} // namespace ddr::cckd
