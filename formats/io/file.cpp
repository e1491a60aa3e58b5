#include "formats/io/file.hpp"
#include "formats/io/resume_record.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <random>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace ddr {

std::string os_error_text(int err)
{
    return std::strerror(err);
}

int UniqueFd::close() noexcept
{
    int err = 0;
    if (fd_ >= 0 && owned_ && ::close(fd_) != 0)
        err = errno;
    fd_ = -1;
    return err;
}

UniqueFd open_existing(const std::string& path, bool writable)
{
    int fd;
    do {
        fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        fail(writable ? ErrorKind::WriteFailed : ErrorKind::ReadFailed, file_place(path),
             std::string(writable ? "cannot open for writing: " : "cannot open: ") + os_error_text(errno));
    return UniqueFd(fd);
}

uint64_t file_size(int fd, const std::string& path)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        fail(ErrorKind::ReadFailed, file_place(path), "cannot get the file size: " + os_error_text(errno));
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        fail(ErrorKind::Unreadable, file_place(path), "not a regular file");
    if (S_ISBLK(st.st_mode)) {
        off_t end = ::lseek(fd, 0, SEEK_END);
        if (end < 0)
            fail(ErrorKind::ReadFailed, file_place(path), "cannot get the device size: " + os_error_text(errno));
        return uint64_t(end);
    }
    return uint64_t(st.st_size);
}

bool path_exists(const std::string& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

FileStatus file_status(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return {};
    FileStatus s;
    s.size = uint64_t(st.st_size);
    s.kind = S_ISREG(st.st_mode)    ? FileKind::Regular
             : S_ISDIR(st.st_mode)  ? FileKind::Folder
             : S_ISFIFO(st.st_mode) ? FileKind::Fifo
             : S_ISCHR(st.st_mode)  ? FileKind::CharDevice
             : S_ISBLK(st.st_mode)  ? FileKind::BlockDevice
                                    : FileKind::Other;
    return s;
}

bool is_regular_file(const std::string& path)
{
    return file_status(path).kind == FileKind::Regular;
}

namespace {

// The loop of every whole-buffer transfer: calls `step(done)`, which moves bytes from
// `done` on and returns what the system call returned, until `size` bytes have moved.
template <typename Step>
Transfer transfer_all(size_t size, Step step) noexcept
{
    Transfer t;
    while (t.done < size) {
        const ssize_t n = step(t.done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            t.error = n < 0 ? errno : 0;
            break;
        }
        t.done += size_t(n);
    }
    return t;
}

} // namespace

Transfer pread_full(int fd, MutableByteSpan out, uint64_t offset) noexcept
{
    return transfer_all(out.size(), [&](size_t done) {
        return ::pread(fd, out.data() + done, out.size() - done, off_t(offset + done));
    });
}

Transfer pread_pair(int fd, MutableByteSpan first, MutableByteSpan second, uint64_t offset) noexcept
{
    return transfer_all(first.size() + second.size(), [&](size_t done) {
        if (done >= first.size())
            return ::pread(fd, second.data() + (done - first.size()), second.size() - (done - first.size()),
                           off_t(offset + done));
        iovec parts[2] = {{first.data() + done, first.size() - done}, {second.data(), second.size()}};
        return ::preadv(fd, parts, 2, off_t(offset + done));
    });
}

Transfer pwrite_full(int fd, ByteSpan data, uint64_t offset) noexcept
{
    return transfer_all(data.size(), [&](size_t done) {
        return ::pwrite(fd, data.data() + done, data.size() - done, off_t(offset + done));
    });
}

Transfer write_full(int fd, ByteSpan data) noexcept
{
    return transfer_all(data.size(), [&](size_t done) { return ::write(fd, data.data() + done, data.size() - done); });
}

size_t pread_some(int fd, MutableByteSpan out, uint64_t offset, const Place& place)
{
    const Transfer t = pread_full(fd, out, offset);
    if (t.error != 0)
        fail(ErrorKind::ReadFailed, place.offset ? place : place.with_offset(offset + t.done),
             "read error: " + os_error_text(t.error));
    return t.done;
}

void pread_exact(int fd, MutableByteSpan out, uint64_t offset, const Place& place)
{
    size_t got = pread_some(fd, out, offset, place);
    if (got != out.size()) {
        Place at = place;
        if (!at.offset)
            at.offset = offset;
        fail(ErrorKind::Unreadable, at,
             "file ends after " + std::to_string(got) + " of the " + std::to_string(out.size()) + " bytes wanted");
    }
}

void pwrite_all(int fd, ByteSpan data, uint64_t offset, const Place& place)
{
    const Transfer t = pwrite_full(fd, data, offset);
    if (t.done == data.size())
        return;
    fail(ErrorKind::WriteFailed, place.offset ? place : place.with_offset(offset + t.done),
         t.error != 0 ? "write error: " + os_error_text(t.error) : std::string("write made no progress"));
}

UniqueFd open_direct_writer(const std::string& path) noexcept
{
    int fd;
    do {
        fd = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return UniqueFd(fd);
}

bool pwrite_direct(int fd, ByteSpan data, uint64_t offset, const Place& place)
{
    const Transfer t = pwrite_full(fd, data, offset);
    if (t.done == data.size())
        return true;
    if (t.done == 0 && t.error == EINVAL)
        return false;
    fail(ErrorKind::WriteFailed, place.offset ? place : place.with_offset(offset + t.done),
         t.error != 0 ? "write error: " + os_error_text(t.error) : std::string("write made no progress"));
}

void sync_file(int fd, const Place& place)
{
    if (::fsync(fd) != 0 && errno != EINVAL)
        fail(ErrorKind::WriteFailed, place, "cannot flush to disk: " + os_error_text(errno));
}

void start_writeback(int fd, uint64_t offset, uint64_t length) noexcept
{
    (void)::sync_file_range(fd, off64_t(offset), off64_t(length), SYNC_FILE_RANGE_WRITE);
}

void truncate_file(int fd, uint64_t size, const std::string& path)
{
    while (::ftruncate(fd, off_t(size)) != 0) {
        if (errno != EINTR)
            fail(ErrorKind::WriteFailed, file_place(path),
                 "cannot set the file size to " + std::to_string(size) + " bytes: " + os_error_text(errno));
    }
}

int copy_file_prefix(int from, int to, uint64_t size) noexcept
{
    if (size == 0)
        return 0;
    if (::ioctl(to, FICLONE, from) == 0)
        return ::ftruncate(to, off_t(size)) == 0 ? 0 : errno;
    off_t in = 0, out = 0;
    uint64_t left = size;
    while (left > 0) {
        ssize_t n = ::copy_file_range(from, &in, to, &out, size_t(std::min<uint64_t>(left, uint64_t(1) << 30)), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0 || errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)
                break;  // fall back to reading and writing the rest
            return errno;
        }
        left -= uint64_t(n);
    }
    // The rest through a buffer of bounded size.
    Bytes buffer(size_t(1) << 20);
    for (uint64_t at = size - left; at < size;) {
        const MutableByteSpan chunk(buffer.data(), size_t(std::min<uint64_t>(size - at, buffer.size())));
        const Transfer r = pread_full(from, chunk, at);
        if (r.done < chunk.size())
            return r.error ? r.error : EIO;
        const Transfer w = pwrite_full(to, chunk, at);
        if (w.done < chunk.size())
            return w.error ? w.error : EIO;
        at += chunk.size();
    }
    return 0;
}

std::string folder_of(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

namespace {

std::string base_of(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ".NAME.ddr-tmp.PID.": what every temporary name starts with, up to its random part.
constexpr const char* kTempTag = ".ddr-tmp.";

std::string temp_prefix(const std::string& final_path)
{
    std::string folder = folder_of(final_path);
    return (folder == "." && final_path.find('/') == std::string::npos ? std::string() : folder + "/") + "." +
           base_of(final_path) + kTempTag + std::to_string(long(::getpid())) + ".";
}

// The PID a temporary file name carries, or 0 if the name is not one of ours.
long temp_owner(const std::string& name)
{
    if (name.empty() || name[0] != '.')
        return 0;
    const size_t tag = name.rfind(kTempTag);
    if (tag == std::string::npos || tag < 2)
        return 0;
    size_t pos = tag + std::strlen(kTempTag);
    long pid = 0;
    size_t digits = 0;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9' && digits < 10) {
        pid = pid * 10 + (name[pos++] - '0');
        ++digits;
    }
    if (digits == 0 || pos >= name.size() || name[pos] != '.' || name.size() - pos - 1 != 6)
        return 0;
    for (size_t i = pos + 1; i < name.size(); ++i)
        if (!std::isxdigit(static_cast<unsigned char>(name[i])))
            return 0;
    return pid;
}

// True if SIGKILL is pending for process `pid` (it dies as soon as the kernel lets it).
bool kill_pending(long pid)
{
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
    if (!f)
        return false;
    char line[256];
    bool pending = false;
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long mask = 0;
        if ((std::sscanf(line, "SigPnd: %llx", &mask) == 1 || std::sscanf(line, "ShdPnd: %llx", &mask) == 1) &&
            (mask & (1ull << (SIGKILL - 1))))
            pending = true;
    }
    std::fclose(f);
    return pending;
}

// The state of process `pid` as /proc tells it: 0 if it does not run, 'Z' for a zombie,
// 'E' while it is exiting or killed (a moment ago: its files are being closed), else 'R'.
char process_state(long pid)
{
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return 0;
    if (kill_pending(pid))
        return 'E';
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (!f)
        return 'R';  // no /proc: assume it runs
    char line[512] = {};
    const size_t n = std::fread(line, 1, sizeof line - 1, f);
    std::fclose(f);
    // "pid (comm) S ppid pgrp session tty tpgid flags ...": comm may hold spaces.
    const char* p = std::strrchr(line, ')');
    if (!p || size_t(p - line) + 4 > n)
        return 'R';
    const char state = p[2];
    if (state == 'Z' || state == 'X')
        return 'Z';
    unsigned long flags = 0;
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & 0x4))  // PF_EXITING
        return 'E';
    return 'R';
}

// True once process `pid` no longer holds files; a process that is exiting is given a
// few seconds to finish (a dump killed a moment ago is still closing its files).
bool process_gone(long pid)
{
    for (int waited = 0;; waited += 20) {
        const char state = process_state(pid);
        if (state == 0 || state == 'Z')
            return true;
        if (state != 'E' || waited >= 5000)
            return false;
        ::usleep(20000);
    }
}

} // namespace

void sync_parent_folder(const std::string& path)
{
    int fd = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    UniqueFd dir(fd);
    (void)::fsync(dir.get());  // not every file system can sync a folder; the rename itself stands
}

void rename_no_replace(const std::string& from, const std::string& to)
{
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return;
    if (errno == EEXIST)
        fail(ErrorKind::Refused, file_place(to), "already exists; not replacing it");
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        fail(ErrorKind::WriteFailed, file_place(to), "cannot rename " + from + " to it: " + os_error_text(errno));
    // No RENAME_NOREPLACE here: claim the name exclusively, then rename over our own claim.
    int claim = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (claim < 0) {
        if (errno == EEXIST)
            fail(ErrorKind::Refused, file_place(to), "already exists; not replacing it");
        fail(ErrorKind::WriteFailed, file_place(to), "cannot rename " + from + " to it: " + os_error_text(errno));
    }
    ::close(claim);
    if (::rename(from.c_str(), to.c_str()) != 0) {
        const int err = errno;
        ::unlink(to.c_str());
        fail(ErrorKind::WriteFailed, file_place(to), "cannot rename " + from + " to it: " + os_error_text(err));
    }
}

bool PendingFile::try_create(const std::string& candidate, unsigned mode)
{
    int fd = ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode));
    if (fd < 0) {
        if (errno == EEXIST)
            return false;
        fail(ErrorKind::WriteFailed, file_place(final_path_),
             "cannot create it (as " + candidate + "): " + os_error_text(errno));
    }
    temp_path_ = candidate;
    fd_ = UniqueFd(fd);
    // Held until the descriptor closes: a live writer's file is never taken for stale.
    (void)::flock(fd, LOCK_EX | LOCK_NB);
    return true;
}

PendingFile::PendingFile(std::string final_path, CommitRule rule, unsigned mode)
    : final_path_(std::move(final_path)), rule_(rule)
{
    const std::string prefix = temp_prefix(final_path_);
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%06x", unsigned(rd() & 0xFFFFFF));
        if (try_create(prefix + suffix, mode))
            return;
    }
    fail(ErrorKind::WriteFailed, file_place(final_path_), "cannot find a free temporary name next to it");
}

PendingFile::PendingFile(std::string final_path, const std::string& temp_path, unsigned mode)
    : final_path_(std::move(final_path)), rule_(CommitRule::NoReplace)
{
    if (!try_create(temp_path, mode))
        fail(ErrorKind::WriteFailed, file_place(final_path_), "cannot create it as " + temp_path + ": that name is taken");
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      rule_(other.rule_),
      fd_(std::move(other.fd_)),
      renamed_(other.renamed_)
{
    other.temp_path_.clear();
    other.renamed_ = true;
}

PendingFile PendingFile::adopt(std::string final_path, const std::string& temp_path)
{
    const int fd = ::open(temp_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        fail(ErrorKind::WriteFailed, file_place(temp_path), "cannot open it to continue it: " + os_error_text(errno));
    UniqueFd owned(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        fail(ErrorKind::Refused, file_place(temp_path), "is not a regular file; not continuing it");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        fail(ErrorKind::Refused, file_place(temp_path), "another process holds it (a --resume already at work?)");
    return PendingFile(std::move(final_path), CommitRule::NoReplace, std::move(owned), temp_path);
}

void PendingFile::keep() noexcept
{
    fd_.reset();
    renamed_ = true;
}

PendingFile::~PendingFile()
{
    discard();
}

void PendingFile::discard() noexcept
{
    fd_.reset();
    if (!renamed_ && !temp_path_.empty())
        ::unlink(temp_path_.c_str());
    renamed_ = true;
}

void PendingFile::sync()
{
    sync_file(fd_.get(), file_place(final_path_));  // the name the user gave, not the temporary
}

void PendingFile::close()
{
    if (const int err = fd_.close(); err != 0 && err != EINTR)
        fail(ErrorKind::WriteFailed, file_place(final_path_), "cannot close " + temp_path_ + ": " + os_error_text(err));
}

void PendingFile::rename_into_place()
{
    if (rule_ == CommitRule::NoReplace) {
        rename_no_replace(temp_path_, final_path_);
    } else if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
        fail(ErrorKind::WriteFailed, file_place(final_path_),
             "cannot rename " + temp_path_ + " over it: " + os_error_text(errno));
    }
    renamed_ = true;
    sync_parent_folder(final_path_);
}

void PendingFile::commit()
{
    sync();
    close();
    rename_into_place();
}

std::vector<StaleTemporary> remove_stale_temporaries(const std::string& path)
{
    std::vector<StaleTemporary> removed;
    const std::string folder = folder_of(path);
    DIR* dir = ::opendir(folder.c_str());
    if (!dir)
        return removed;
    std::vector<std::pair<std::string, long>> candidates;
    while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (long pid = temp_owner(name); pid > 0)
            candidates.emplace_back(name, pid);
    }
    ::closedir(dir);
    const KeptForResume kept = temporaries_kept_for_resume(folder);
    for (const auto& [name, pid] : candidates) {
        if (!process_gone(pid))
            continue;  // its writer may still be at work (or the PID was reused: keep it)
        const std::string full = folder + "/" + name;
        if (kept.keeps(full))
            continue;  // a resume record names it: a later --resume continues it
        int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            continue;
        UniqueFd held(fd);
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || ::flock(fd, LOCK_EX | LOCK_NB) != 0)
            continue;  // not a plain file, or a writer (from another PID namespace) holds it
        if (::unlink(full.c_str()) == 0)
            removed.push_back({full, pid, uint64_t(st.st_size)});
    }
    return removed;
}

bool same_file(const std::string& a, const std::string& b)
{
    struct stat sa {}, sb {};
    if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    std::error_code ea, eb;
    const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a, ea), ea);
    const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b, eb), eb);
    return !ea && !eb && ca == cb;
}

namespace {

int64_t nanoseconds(const struct timespec& t)
{
    return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// "0.25 s later" / "0.25 s earlier": how far a time moved.
std::string moved_by(int64_t ns)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.9g s %s", double(ns < 0 ? -ns : ns) / 1e9, ns < 0 ? "earlier" : "later");
    return text;
}

} // namespace

FileStamp file_stamp(const std::string& path)
{
    struct stat st {};
    FileStamp s;
    if (::stat(path.c_str(), &st) != 0)
        return s;
    s.exists = true;
    s.device = uint64_t(st.st_dev);
    s.inode = uint64_t(st.st_ino);
    s.size = uint64_t(st.st_size);
    s.mtime_ns = nanoseconds(st.st_mtim);
    s.ctime_ns = nanoseconds(st.st_ctim);
    return s;
}

std::string describe_change(const FileStamp& before, const FileStamp& after)
{
    if (before.exists != after.exists)
        return after.exists ? "it appeared" : "it was removed or renamed";
    if (!before.exists)
        return {};
    std::vector<std::string> parts;
    if (before.device != after.device || before.inode != after.inode)
        parts.push_back("replaced by another file");
    if (before.size != after.size)
        parts.push_back("size " + std::to_string(before.size) + " -> " + std::to_string(after.size) + " bytes");
    if (before.mtime_ns != after.mtime_ns)
        parts.push_back("modification time " + moved_by(after.mtime_ns - before.mtime_ns));
    if (before.ctime_ns != after.ctime_ns)
        parts.push_back("status change time " + moved_by(after.ctime_ns - before.ctime_ns));
    std::string text;
    for (const std::string& p : parts)
        text += (text.empty() ? "" : ", ") + p;
    return text;
}

PendingFile clone_file(const std::string& source, const std::string& temp_name)
{
    UniqueFd from = open_existing(source, false);
    PendingFile clone = temp_name.empty() ? PendingFile(source, CommitRule::NoReplace, 0600)
                                          : PendingFile(source, temp_name, 0600);
    if (::ioctl(clone.fd(), FICLONE, from.get()) == 0)
        return clone;
    const int err = errno;
    if (err == EOPNOTSUPP || err == EXDEV || err == EINVAL || err == ENOTTY)
        fail(ErrorKind::Refused, file_place(source),
             "the file system it is on cannot make instant copies (reflinks, as btrfs and XFS do): " + os_error_text(err));
    fail(err == EIO ? ErrorKind::ReadFailed : ErrorKind::WriteFailed, file_place(source),
         "cannot make an instant copy of it as " + clone.temp_path() + ": " + os_error_text(err));
}

} // namespace ddr
