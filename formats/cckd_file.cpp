#include "formats/cckd_file.hpp"

#include "formats/cckd_place.hpp"
#include "formats/error.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr::cckd {

namespace {

std::string os_error(int err) { return std::strerror(err); }

std::string folder_of(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

// Makes a rename durable: the folder entry is flushed too.
void sync_folder(const std::string& path)
{
    int fd = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

std::atomic<unsigned> temp_counter{0};

} // namespace

FileHandle::~FileHandle() { close(); }

FileHandle::FileHandle(FileHandle&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_))
{
    other.fd_ = -1;
}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept
{
    if (this != &other) {
        close();
        fd_ = other.fd_;
        path_ = std::move(other.path_);
        other.fd_ = -1;
    }
    return *this;
}

FileHandle FileHandle::open_read(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail(ErrorKind::ReadFailed, file_place(path), "cannot open: " + os_error(errno));
    return FileHandle(fd, path);
}

uint64_t FileHandle::size() const
{
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        fail(ErrorKind::ReadFailed, file_place(path_), "cannot get the file size: " + os_error(errno));
    return uint64_t(st.st_size);
}

void FileHandle::read_exact(uint64_t offset, MutableByteSpan out) const
{
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(ErrorKind::ReadFailed, file_place(path_, offset + done), "read failed: " + os_error(errno));
        }
        if (n == 0)
            fail(ErrorKind::Unreadable, file_place(path_, offset),
                 "file ends at offset " + std::to_string(offset + done) + ", " + std::to_string(out.size() - done) +
                     " bytes short of the " + std::to_string(out.size()) + " needed");
        done += size_t(n);
    }
}

void FileHandle::write_exact(uint64_t offset, ByteSpan data)
{
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(ErrorKind::WriteFailed, file_place(path_, offset + done), "write failed: " + os_error(errno));
        }
        done += size_t(n);
    }
}

void FileHandle::sync()
{
    if (::fsync(fd_) != 0)
        fail(ErrorKind::WriteFailed, file_place(path_), "cannot flush to disk: " + os_error(errno));
}

void FileHandle::close()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

TempFile::TempFile(const std::string& target, unsigned mode)
{
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string name = target + ".ddr-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++);
        int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0) {
            path_ = name;
            file_ = FileHandle(fd, name);
            return;
        }
        if (errno != EEXIST)
            fail(ErrorKind::WriteFailed, file_place(target), "cannot create a temporary file next to it: " + os_error(errno));
    }
    fail(ErrorKind::WriteFailed, file_place(target), "cannot find a free temporary file name next to it");
}

TempFile::~TempFile() { discard(); }

void TempFile::discard() noexcept
{
    if (done_)
        return;
    file_.close();
    ::unlink(path_.c_str());
    done_ = true;
}

void TempFile::finish_rename(const std::string& target)
{
    done_ = true;
    file_.close();
    sync_folder(target);
}

void TempFile::commit_new(const std::string& target)
{
    file_.sync();
    // Rename without replacing: a file that appeared at `target` meanwhile is kept.
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
        int err = errno;
        if (err == EEXIST)
            fail(ErrorKind::Refused, file_place(target), "file exists; it appeared while the image was being written");
        if (err != EINVAL && err != ENOSYS)
            fail(ErrorKind::WriteFailed, file_place(target), "cannot rename " + path_ + " into place: " + os_error(err));
        // The file system cannot rename without replacing: a hard link cannot replace either.
        if (::link(path_.c_str(), target.c_str()) != 0) {
            err = errno;
            if (err == EEXIST)
                fail(ErrorKind::Refused, file_place(target), "file exists; it appeared while the image was being written");
            fail(ErrorKind::WriteFailed, file_place(target), "cannot move " + path_ + " into place: " + os_error(err));
        }
        ::unlink(path_.c_str());
    }
    finish_rename(target);
}

void TempFile::commit_replace(const std::string& target)
{
    file_.sync();
    if (::rename(path_.c_str(), target.c_str()) != 0)
        fail(ErrorKind::WriteFailed, file_place(target), "cannot rename " + path_ + " over it: " + os_error(errno));
    finish_rename(target);
}

} // namespace ddr::cckd
