#include "formats/file_io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr {

std::string os_error_text(int err)
{
    return std::strerror(err);
}

void UniqueFd::reset()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
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

size_t pread_some(int fd, MutableByteSpan out, uint64_t offset, const Place& place)
{
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(fd, out.data() + done, out.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            Place at = place;
            if (!at.offset)
                at.offset = offset + done;
            fail(ErrorKind::ReadFailed, at, "read error: " + os_error_text(errno));
        }
        if (n == 0)
            break;
        done += size_t(n);
    }
    return done;
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
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            Place at = place;
            if (!at.offset)
                at.offset = offset + done;
            fail(ErrorKind::WriteFailed, at, "write error: " + os_error_text(errno));
        }
        if (n == 0) {
            Place at = place;
            if (!at.offset)
                at.offset = offset + done;
            fail(ErrorKind::WriteFailed, at, "write made no progress");
        }
        done += size_t(n);
    }
}

void sync_file(int fd, const Place& place)
{
    if (::fsync(fd) != 0 && errno != EINVAL)
        fail(ErrorKind::WriteFailed, place, "cannot flush to disk: " + os_error_text(errno));
}

namespace {
std::string parent_folder(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}
} // namespace

void sync_parent_folder(const std::string& path)
{
    int fd = ::open(parent_folder(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    UniqueFd dir(fd);
    (void)::fsync(dir.get());  // not every file system can sync a folder; the rename itself stands
}

void rename_no_replace(const std::string& from, const std::string& to)
{
#ifdef RENAME_NOREPLACE
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return;
    if (errno == EEXIST)
        fail(ErrorKind::Refused, file_place(to), "already exists; not replacing it");
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        fail(ErrorKind::WriteFailed, file_place(to), "cannot rename " + from + " to it: " + os_error_text(errno));
#endif
    // Fallback for file systems without RENAME_NOREPLACE: link() never replaces.
    if (::link(from.c_str(), to.c_str()) != 0) {
        if (errno == EEXIST)
            fail(ErrorKind::Refused, file_place(to), "already exists; not replacing it");
        fail(ErrorKind::WriteFailed, file_place(to), "cannot rename " + from + " to it: " + os_error_text(errno));
    }
    ::unlink(from.c_str());
}

PendingFile::PendingFile(std::string final_path) : final_path_(std::move(final_path))
{
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%06x", unsigned(rd() & 0xFFFFFF));
        std::string candidate = final_path_ + ".ddr-tmp-" + suffix;
        int fd = ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            temp_path_ = candidate;
            fd_ = UniqueFd(fd);
            return;
        }
        if (errno != EEXIST)
            fail(ErrorKind::WriteFailed, file_place(final_path_),
                 "cannot create it (as " + candidate + "): " + os_error_text(errno));
    }
    fail(ErrorKind::WriteFailed, file_place(final_path_), "cannot find a free temporary name next to it");
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::move(other.fd_)),
      renamed_(other.renamed_)
{
    other.temp_path_.clear();
    other.renamed_ = true;
}

PendingFile::~PendingFile()
{
    if (!renamed_ && !temp_path_.empty())
        ::unlink(temp_path_.c_str());
}

void PendingFile::sync()
{
    sync_file(fd_.get(), file_place(temp_path_));
}

void PendingFile::rename_into_place()
{
    rename_no_replace(temp_path_, final_path_);
    renamed_ = true;
}

} // namespace ddr
