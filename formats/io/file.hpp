// The project's file layer: an owning file descriptor, whole-buffer pread/pwrite that
// turn OS errors into ddr::Error, and the one way a file is made: under a temporary name,
// renamed into place only when complete (PendingFile), with the one no-replace rule.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ddr {

// Owns one open file descriptor and closes it on destruction -- unless it is borrowed
// (standard input or output, which the process keeps): a borrowed descriptor is used
// but never closed.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    // A descriptor this object uses but never closes.
    static UniqueFd borrowed(int fd)
    {
        UniqueFd u(fd);
        u.owned_ = false;
        return u;
    }
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_), owned_(other.owned_) { other.fd_ = -1; }
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other) {
            reset();
            fd_ = other.fd_;
            owned_ = other.owned_;
            other.fd_ = -1;
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Gives the descriptor up without closing it (the caller owns it now).
    int release()
    {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    // Closes the descriptor now (if owned) and reports how: 0, or the errno close(2) gave
    // (close can be the first to see a write error).  Empty afterwards either way.
    int close() noexcept;
    // Closes the descriptor now (if owned), ignoring the result.
    void reset() noexcept { (void)close(); }

private:
    int fd_ = -1;
    bool owned_ = true;
};

// Opens an existing file.  Throws Error(ReadFailed), or Error(WriteFailed) when it was
// wanted for writing, naming the file if it cannot.
UniqueFd open_existing(const std::string& path, bool writable);

// Size of an open file in bytes (fstat; a block device's size by seeking to its end).
// Error(ReadFailed) if it cannot be told, Error(Unreadable) for anything else than a
// regular file or a block device; both name `path`.
uint64_t file_size(int fd, const std::string& path);

// True if something (a file, a dangling symlink, anything) has this name.
bool path_exists(const std::string& path);

// What a name is, as stat(2) sees it through symbolic links.
enum class FileKind {
    Missing,      // stat fails: no such name, a dangling link, a folder we may not search
    Regular,
    Folder,
    Fifo,
    CharDevice,
    BlockDevice,
    Other,        // a socket
};
struct FileStatus {
    FileKind kind = FileKind::Missing;
    uint64_t size = 0;  // st_size: a regular file's length; 0 when Missing
    bool exists() const { return kind != FileKind::Missing; }
};
// The kind and size of what `path` names.  Never throws: what cannot be looked at is
// Missing.  "-" is an ordinary name here; callers that read it as standard input or
// output test for it first.
FileStatus file_status(const std::string& path);
// file_status(path).kind == FileKind::Regular.
bool is_regular_file(const std::string& path);

// What a whole-buffer transfer did: the bytes it moved, and why it stopped short of the
// whole buffer, if it did.
struct Transfer {
    size_t done = 0;
    int error = 0;  // the errno that stopped it; 0 if it stopped without one (end of file
                    // on a read, a write that moved nothing) or did not stop
};
// The one loop that moves a whole buffer: pread/pwrite at `offset` (write(2) at the
// current position for write_full, for pipes and devices), retried on EINTR and after
// short transfers, until every byte has moved, the file ends (reads) or an error.  They
// never throw, so destructors and noexcept code can use them; the throwing forms below
// are built on them.
Transfer pread_full(int fd, MutableByteSpan out, uint64_t offset) noexcept;
Transfer pwrite_full(int fd, ByteSpan data, uint64_t offset) noexcept;
Transfer write_full(int fd, ByteSpan data) noexcept;
// pread_full into two buffers, `first` then `second`, from the bytes at `offset` on, in
// one system call where it can (preadv): done counts the bytes of both.
Transfer pread_pair(int fd, MutableByteSpan first, MutableByteSpan second, uint64_t offset) noexcept;

// Reads up to out.size() bytes at `offset`, retrying short reads; returns how many were
// read (fewer only at end of file).  OS errors throw Error(ReadFailed) at `place` (at the
// failing byte's offset, unless `place` names one).
size_t pread_some(int fd, MutableByteSpan out, uint64_t offset, const Place& place);
// Reads exactly out.size() bytes; a short file throws Error(Unreadable).
void pread_exact(int fd, MutableByteSpan out, uint64_t offset, const Place& place);
// Writes all of `data` at `offset`; failures throw Error(WriteFailed) at `place` (at the
// failing byte's offset, unless `place` names one).
void pwrite_all(int fd, ByteSpan data, uint64_t offset, const Place& place);
// Writes that bypass the page cache (O_DIRECT) must start at a multiple of this in the
// file and in memory, and be a multiple of it long.
inline constexpr size_t kDirectWriteAlign = 4096;
// A second descriptor of the existing regular file `path` for such writes: a large
// write costs the disk's time, not a copy into the page cache (on some virtual machines
// that copy, faulting in fresh memory, is slower than the disk).  Empty if the file
// system cannot (tmpfs, some FUSE) or the file cannot be opened: the caller writes
// through its ordinary descriptor.  Never throws.
UniqueFd open_direct_writer(const std::string& path) noexcept;
// pwrite_all through a descriptor of open_direct_writer (`data`, `offset` aligned as
// kDirectWriteAlign says).  Returns false, having written nothing, if the file system
// refuses the write as such (EINVAL): the caller writes the bytes through its ordinary
// descriptor instead.  Any other failure throws Error(WriteFailed) as pwrite_all does.
bool pwrite_direct(int fd, ByteSpan data, uint64_t offset, const Place& place);
// Makes what was written to the file durable (fsync); Error(WriteFailed) at `place`.
// EINVAL (a file that cannot be synced, such as a pipe) is not an error.
void sync_file(int fd, const Place& place);
// Asks the kernel to start writing `length` bytes at `offset` of the file to disk now,
// without waiting (sync_file_range SYNC_FILE_RANGE_WRITE): data written in a long
// sequential stream then goes to disk while the rest is being made, instead of all at
// the final sync_file.  Only a hint: nothing is made durable, and a failure (a pipe, a
// file system without it) is ignored.
void start_writeback(int fd, uint64_t offset, uint64_t length) noexcept;
// Sets the size of an open file (ftruncate); Error(WriteFailed) naming `path`.
void truncate_file(int fd, uint64_t size, const std::string& path);
// Makes the open file `to` start with the first `size` bytes of the open file `from`:
// a clone of the whole file cut back (free on btrfs and XFS), else an in-kernel copy,
// else reading and writing.  0, or the errno that stopped it (EIO if `from` ends first).
// Never throws.
int copy_file_prefix(int from, int to, uint64_t size) noexcept;
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
    // The same under the given temporary name (which must not exist), not a random one.
    PendingFile(std::string final_path, const std::string& temp_path, unsigned mode);
    // Takes up `temp_path`, a temporary file an interrupted run left for a later --resume
    // (resume_record.hpp), as this writer's own: opened for writing and locked.
    // Error(Refused) if another process holds its lock (a --resume already at work),
    // Error(WriteFailed) naming it if it cannot be opened.
    static PendingFile adopt(std::string final_path, const std::string& temp_path);
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
    // Closes the temporary file and leaves it where it is (a later --resume continues
    // it); the destructor then removes nothing.
    void keep() noexcept;

private:
    explicit PendingFile(std::string final_path, CommitRule rule, UniqueFd fd, std::string temp_path)
        : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), rule_(rule), fd_(std::move(fd))
    {
    }
    // Creates `candidate` exclusively: false if it exists, Error(WriteFailed) otherwise.
    bool try_create(const std::string& candidate, unsigned mode);

    std::string final_path_;
    std::string temp_path_;
    CommitRule rule_;
    UniqueFd fd_;
    bool renamed_ = false;
};

// What says a file changed: its identity, size, and modification and status-change
// times to the nanosecond (a write moves both times; a rename over it changes the inode).
struct FileStamp {
    bool exists = false;
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
};
// The stamp of `path` (through symbolic links); never throws: a name that cannot be
// looked at has exists == false.
FileStamp file_stamp(const std::string& path);
// How `after` differs from `before`, in words for a message ("size 1000 -> 2048 bytes,
// modified 0.25 s later"); empty when they are the same.
std::string describe_change(const FileStamp& before, const FileStamp& after);

// An instant copy-on-write clone (a reflink: ioctl FICLONE) of the file `source`, made
// as a hidden temporary file beside it (a PendingFile's name, so that what a killed run
// leaves is cleared like any of ours); `temp_name`, if given, is the name to use (one
// with the same ".ddr-tmp.PID." form).  It is never renamed into place: it goes when the
// PendingFile does.  Error(Refused) where the file system cannot clone (EOPNOTSUPP,
// EXDEV, EINVAL, ENOTTY), saying so; Error(ReadFailed)/Error(WriteFailed) otherwise.
PendingFile clone_file(const std::string& source, const std::string& temp_name = {});

// A temporary file that a ddr process no longer running left behind.
struct StaleTemporary {
    std::string path;
    long pid = 0;        // the process that made it
    uint64_t bytes = 0;
};

// Removes from the folder holding `path` every PendingFile temporary whose process is
// gone (its PID does not run and nobody holds its lock), and returns what it removed.
// Busy images (NAME.ddr-busy), temporaries a resume record names (resume_record.hpp)
// and anything else are never touched.
std::vector<StaleTemporary> remove_stale_temporaries(const std::string& path);

// The folder part of a path ("." for a bare name).
std::string folder_of(const std::string& path);

// True if `a` and `b` are one file: the same device and inode where both exist (through
// any path or link), else the same path once symbolic links, "." and ".." are resolved.
bool same_file(const std::string& a, const std::string& b);

// "No such file or directory" and friends, for messages.
std::string os_error_text(int err);

} // namespace ddr
