// Small POSIX file helpers shared by the volume containers: an owning file descriptor,
// whole-buffer pread/pwrite that turn OS errors into ddr::Error, and a file built under
// a temporary name and renamed into place only when it is complete.
//
// Note for the merge: a parallel helper (tape containers) may add a file of the same
// name; this one is kept minimal and self-contained so the two can be folded together.
#pragma once

#include "formats/bytes.hpp"
#include "formats/error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ddr {

// Places for errors in files (Place's other fields stay unset).
inline Place file_place(const std::string& file, std::optional<uint64_t> offset = std::nullopt)
{
    Place p;
    p.file = file;
    p.offset = offset;
    return p;
}
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
// Makes a rename or unlink in the folder holding `path` durable (best effort on
// file systems that cannot sync a folder).
void sync_parent_folder(const std::string& path);

// Renames `from` to `to`, failing with Error(Refused) instead of replacing `to` if it
// exists (renameat2 RENAME_NOREPLACE, or link + unlink where that is not supported).
void rename_no_replace(const std::string& from, const std::string& to);

// A new file written under a temporary name in the folder of its final name.  commit()
// renames it into place (never over an existing file); if it is destroyed first, the
// temporary file is removed, so an unfinished file is never seen under the final name.
class PendingFile {
public:
    explicit PendingFile(std::string final_path);
    ~PendingFile();
    PendingFile(PendingFile&& other) noexcept;
    PendingFile& operator=(PendingFile&&) = delete;
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& final_path() const { return final_path_; }
    const std::string& temp_path() const { return temp_path_; }

    // Flushes the data to stable storage (call before rename()).
    void sync();
    // Renames the temporary file to the final name.  The descriptor stays open.
    void rename_into_place();
    bool renamed() const { return renamed_; }

private:
    std::string final_path_;
    std::string temp_path_;
    UniqueFd fd_;
    bool renamed_ = false;
};

// "No such file or directory" and friends, for messages.
std::string os_error_text(int err);

} // namespace ddr
