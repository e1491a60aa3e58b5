#include "formats/volume/cckd/file.hpp"

#include "formats/volume/cckd/place.hpp"
#include "formats/io/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr::cckd {

namespace {

std::string os_error(int err) { return std::strerror(err); }

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

TempFile::TempFile(const std::string& target, unsigned mode) : pending_(target, CommitRule::NoReplace, mode)
{
    // The handle works on its own descriptor of the same open file (and so shares its lock).
    int fd = ::dup(pending_.fd());
    if (fd < 0)
        fail(ErrorKind::WriteFailed, file_place(target), "cannot duplicate a file descriptor: " + os_error(errno));
    file_ = FileHandle(fd, pending_.temp_path());
}

TempFile::~TempFile() { discard(); }

const std::string& TempFile::path() const { return pending_.temp_path(); }

void TempFile::discard() noexcept
{
    file_.close();
    pending_.discard();
}

void TempFile::commit(CommitRule rule, const std::string& target)
{
    file_.sync();
    file_.close();
    if (target != pending_.final_path())
        fail(ErrorKind::Internal, file_place(target), "a temporary file made for " + pending_.final_path() + " committed here");
    // The rule is chosen here: an update replaces the image it was made from.
    pending_.set_commit_rule(rule);
    pending_.close();
    pending_.rename_into_place();
}

void TempFile::commit_new(const std::string& target) { commit(CommitRule::NoReplace, target); }

void TempFile::commit_replace(const std::string& target) { commit(CommitRule::Replace, target); }

} // namespace ddr::cckd
