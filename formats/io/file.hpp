// The project's file layer: an owning file descriptor, whole-buffer pread/pwrite that
// turn OS errors into ddr::Error, and the one way a file is made: under a temporary name,
// renamed into place only when complete (PendingFile), with the one no-replace rule.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

// Places for errors in files (Place's other fields stay unset).
inline Place track_place(const std::string& file, std::optional<uint64_t> offset, uint32_t cyl, uint32_t head)
{
    Place p = file_place(file, offset);
    p.cyl = cyl;
    p.head = head;
    return p;
}

// Owns one open file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other) {
            reset();
            fd_ = other.release();
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release()
    {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();

private:
    int fd_ = -1;
};

// Opens an existing file.  Throws Error(ReadFailed), or Error(WriteFailed) when it was
// wanted for writing, naming the file if it cannot.
UniqueFd open_existing(const std::string& path, bool writable);

// Size of an open file in bytes (fstat).
uint64_t file_size(int fd, const std::string& path);

// True if something (a file, a dangling symlink, anything) has this name.
bool path_exists(const std::string& path);

// Reads up to out.size() bytes at `offset`, retrying short reads; returns how many were
// read (fewer only at end of file).  OS errors throw Error(ReadFailed) at `place`.
size_t pread_some(int fd, MutableByteSpan out, uint64_t offset, const Place& place);
// Reads exactly out.size() bytes; a short file throws Error(Unreadable).
void pread_exact(int fd, MutableByteSpan out, uint64_t offset, const Place& place);
// Writes all of `data` at `offset`; failures throw Error(WriteFailed) at `place`.
void pwrite_all(int fd, ByteSpan data, uint64_t offset, const Place& place);
void sync_file(int fd, const Place& place);
// Sets the size of an open file (ftruncate); Error(WriteFailed) naming `path`.
void truncate_file(int fd, uint64_t size, const std::string& path);
// Makes a rename or unlink in the folder holding `path` durable (best effort on
// file systems that cannot sync a folder).
void sync_parent_folder(const std::string& path);

// Renames `from` to `to`, failing with Error(Refused) instead of replacing `to` if it
// exists.  The one no-replace rule of the project: renameat2(RENAME_NOREPLACE); where
// the file system cannot do that, `to` is first created exclusively (O_EXCL), which
// fails if anything has the name, and then renamed over.
void rename_no_replace(const std::string& from, const std::string& to);

// How a PendingFile takes its final name.
enum class CommitRule {
    NoReplace,  // refuse (Error(Refused)) if something has the name by then
    Replace,    // replace what has the name (an --overwrite, a rewritten image or tape)
};

// A file written under a temporary name beside its final one, ".NAME.ddr-tmp.PID.XXXXXX"
// (hidden, same folder, so the rename is atomic), locked (flock) while its writer lives.
// commit() syncs it, renames it into place and syncs the folder; if it is destroyed
// first, the temporary file is removed.  So an unfinished file is never seen under the
// final name, and one left by a killed process is recognised as such
// (remove_stale_temporaries).
class PendingFile {
public:
    explicit PendingFile(std::string final_path, CommitRule rule = CommitRule::NoReplace, unsigned mode = 0666);
    ~PendingFile();
    PendingFile(PendingFile&& other) noexcept;
    PendingFile& operator=(PendingFile&&) = delete;
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& final_path() const { return final_path_; }
    const std::string& temp_path() const { return temp_path_; }

    // Flushes the data to stable storage (call before rename_into_place()).
    void sync();
    // Closes the descriptor now, reporting what close() reports (Error(WriteFailed)).
    void close();
    // Renames the temporary file to the final name under the commit rule, then syncs
    // the folder.  The descriptor, if still open, stays open.
    void rename_into_place();
    // sync(), close(), rename_into_place().
    void commit();
    bool renamed() const { return renamed_; }
    void set_commit_rule(CommitRule rule) { rule_ = rule; }
    // Closes and removes the temporary file now (nothing if already renamed).
    void discard() noexcept;

private:
    std::string final_path_;
    std::string temp_path_;
    CommitRule rule_;
    UniqueFd fd_;
    bool renamed_ = false;
};

// A temporary file that a ddr process no longer running left behind.
struct StaleTemporary {
    std::string path;
    long pid = 0;        // the process that made it
    uint64_t bytes = 0;
};

// Removes from the folder holding `path` every PendingFile temporary whose process is
// gone (its PID does not run and nobody holds its lock), and returns what it removed.
// Busy images (NAME.ddr-busy) and anything else are never touched.
std::vector<StaleTemporary> remove_stale_temporaries(const std::string& path);

// The folder part of a path ("." for a bare name).
std::string folder_of(const std::string& path);

// True if `a` and `b` are one file: the same device and inode where both exist (through
// any path or link), else the same path once symbolic links, "." and ".." are resolved.
bool same_file(const std::string& a, const std::string& b);

// "No such file or directory" and friends, for messages.
std::string os_error_text(int err);

} // namespace ddr
