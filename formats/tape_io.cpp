#include "formats/tape_io.hpp"

#include "formats/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr::tapeio {

namespace {

// Large enough that a disk sees few, big writes; small enough to be irrelevant in memory.
constexpr size_t kOutputBuffer = size_t(2) << 20;

std::string os_error(int err)
{
    return std::strerror(err);
}

// Callers pass errno directly: the other arguments must not allocate (which could
// change errno before it is read), hence `const char*`.
[[noreturn]] void write_failed(const std::string& name, uint64_t offset, const char* what, int err)
{
    Place place;
    place.file = name;
    place.offset = offset;
    std::string why = err == ENOSPC ? "no space left on the device" : os_error(err);
    fail(ErrorKind::WriteFailed, place, std::string(what) + ": " + why);
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

std::string base_of(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Makes the rename of a new file durable (best effort: some file systems refuse it).
void sync_folder(const std::string& folder)
{
    int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

} // namespace

// ---- UniqueFd ----

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept
{
    if (this != &other) {
        reset();
        fd_ = other.fd_;
        owned_ = other.owned_;
        other.fd_ = -1;
    }
    return *this;
}

int UniqueFd::close()
{
    int rc = 0;
    if (fd_ >= 0 && owned_)
        rc = ::close(fd_);
    fd_ = -1;
    return rc;
}

void UniqueFd::reset()
{
    (void)close();
}

UniqueFd open_for_reading(const std::string& path)
{
    if (path == "-")
        return UniqueFd(STDIN_FILENO, false);
    int fd;
    do
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        const int err = errno;
        Place place;
        place.file = path;
        fail(ErrorKind::ReadFailed, place, "cannot open: " + os_error(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return UniqueFd(fd);
}

// ---- BufferedInput ----

BufferedInput::BufferedInput(std::string name, UniqueFd fd, size_t buffer_size)
    : name_(std::move(name)), fd_(std::move(fd)), buffer_(std::max<size_t>(buffer_size, 64))
{
}

size_t BufferedInput::fill(uint8_t* out, size_t n)
{
    if (at_end_)
        return 0;
    for (;;) {
        ssize_t got = ::read(fd_.get(), out, n);
        if (got > 0)
            return size_t(got);
        if (got == 0) {
            at_end_ = true;
            return 0;
        }
        const int err = errno;
        if (err == EINTR)
            continue;
        Place place;
        place.file = name_;
        place.offset = offset_ + (end_ - begin_);
        fail(ErrorKind::ReadFailed, place, "cannot read: " + os_error(err));
    }
}

ByteSpan BufferedInput::peek(size_t n)
{
    n = std::min(n, buffer_.size());
    if (end_ - begin_ < n) {
        if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        while (end_ < n) {
            size_t got = fill(buffer_.data() + end_, buffer_.size() - end_);
            if (got == 0)
                break;
            end_ += got;
        }
    }
    return ByteSpan(buffer_.data() + begin_, std::min(n, end_ - begin_));
}

void BufferedInput::consume(size_t n)
{
    n = std::min(n, end_ - begin_);
    begin_ += n;
    offset_ += n;
    if (begin_ == end_)
        begin_ = end_ = 0;
}

size_t BufferedInput::read(uint8_t* out, size_t n)
{
    size_t done = std::min(n, end_ - begin_);
    std::memcpy(out, buffer_.data() + begin_, done);
    consume(done);
    while (done < n) {
        size_t want = n - done;
        size_t got;
        if (want >= buffer_.size() / 2) {
            // Big reads go straight to the caller, without a copy through the buffer.
            got = fill(out + done, want);
            offset_ += got;
        } else {
            ByteSpan more = peek(want);
            got = more.size();
            std::memcpy(out + done, more.data(), got);
            consume(got);
        }
        if (got == 0)
            break;
        done += got;
    }
    return done;
}

// ---- TapeOutput ----

TapeOutput::TapeOutput(Mode mode, std::string name, UniqueFd fd, std::string temp_path, uint64_t start)
    : mode_(mode), name_(std::move(name)), fd_(std::move(fd)), temp_path_(std::move(temp_path)), keep_(start),
      buffer_start_(start)
{
    // Room for a full buffer plus the largest block, so steady-state writes never allocate.
    buffer_.reserve(kOutputBuffer + (size_t(4) << 20));
}

TapeOutput::TapeOutput(TapeOutput&& other) noexcept
    : mode_(other.mode_), name_(std::move(other.name_)), fd_(std::move(other.fd_)),
      temp_path_(std::move(other.temp_path_)), overwrite_(other.overwrite_), keep_(other.keep_),
      buffer_(std::move(other.buffer_)), buffer_start_(other.buffer_start_), hold_from_(other.hold_from_),
      finished_(other.finished_), moved_from_(other.moved_from_)
{
    other.moved_from_ = true;
}

TapeOutput::~TapeOutput()
{
    if (!moved_from_ && !finished_)
        abandon();
}

bool TapeOutput::is_stream_path(const std::string& path)
{
    if (path == "-")
        return true;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return false;
    return S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode);
}

TapeOutput TapeOutput::create_file(const std::string& path, bool overwrite)
{
    Place place;
    place.file = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            fail(ErrorKind::Refused, place, "is a folder, not a tape file");
        if (!overwrite)
            fail(ErrorKind::Refused, place, "the tape file already exists");
    }
    // A hidden name in the same folder, so the final rename is atomic and a reader
    // never sees a half-written tape under the real name.
    std::string folder = folder_of(path);
    std::random_device entropy;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%08x", unsigned(entropy()));
        std::string temp = folder + "/." + base_of(path) + ".ddr-" + suffix;
        int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            TapeOutput out(Mode::NewFile, path, UniqueFd(fd), temp, 0);
            out.overwrite_ = overwrite;
            return out;
        }
        const int err = errno;
        if (err != EEXIST)
            write_failed(path, 0, ("cannot create a temporary file in " + folder).c_str(), err);
    }
    fail(ErrorKind::WriteFailed, place, "cannot find a free temporary name in " + folder);
}

TapeOutput TapeOutput::append_file(const std::string& path, uint64_t keep)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        write_failed(path, 0, "cannot open for appending", errno);
    TapeOutput out(Mode::Append, path, UniqueFd(fd), {}, keep);
    // Anything past the tape's end (there should be nothing) is not part of the tape.
    if (::ftruncate(fd, off_t(keep)) != 0)
        write_failed(path, keep, "cannot cut the file to the end of its tape", errno);
    return out;
}

TapeOutput TapeOutput::open_stream(const std::string& path)
{
    if (path == "-")
        return TapeOutput(Mode::Stream, "standard output", UniqueFd(STDOUT_FILENO, false), {}, 0);
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        write_failed(path, 0, "cannot open", errno);
    return TapeOutput(Mode::Stream, path, UniqueFd(fd), {}, 0);
}

void TapeOutput::write(ByteSpan bytes)
{
    if (finished_)
        fail(ErrorKind::Internal, "write to a tape that is already finished: " + name_);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    if (buffer_.size() >= kOutputBuffer)
        flush(false);
}

void TapeOutput::write_out(const uint8_t* data, size_t size, uint64_t at)
{
    while (size > 0) {
        ssize_t done = mode_ == Mode::Stream ? ::write(fd_.get(), data, size)
                                             : ::pwrite(fd_.get(), data, size, off_t(at));
        if (done < 0) {
            if (errno == EINTR)
                continue;
            write_failed(name_, at, "cannot write", errno);
        }
        if (done == 0)
            write_failed(name_, at, "cannot write", EIO);
        data += done;
        size -= size_t(done);
        at += uint64_t(done);
    }
}

void TapeOutput::flush(bool everything)
{
    size_t count = buffer_.size();
    if (!everything && mode_ == Mode::Stream && hold_from_ != UINT64_MAX)
        count = hold_from_ > buffer_start_ ? size_t(std::min<uint64_t>(hold_from_ - buffer_start_, count)) : 0;
    if (count == 0)
        return;
    write_out(buffer_.data(), count, buffer_start_);
    buffer_start_ += count;
    buffer_.erase(buffer_.begin(), buffer_.begin() + std::ptrdiff_t(count));
}

void TapeOutput::hold_from(uint64_t pos)
{
    if (mode_ == Mode::Stream)
        hold_from_ = pos;
}

void TapeOutput::truncate(uint64_t pos)
{
    if (pos > position())
        fail(ErrorKind::Internal, "cannot truncate " + name_ + " forward to " + std::to_string(pos));
    if (pos >= buffer_start_) {
        buffer_.resize(size_t(pos - buffer_start_));
        return;
    }
    if (mode_ == Mode::Stream)
        fail(ErrorKind::Internal, "cannot take back bytes already sent to " + name_);
    if (mode_ == Mode::Append && pos < keep_)
        fail(ErrorKind::Internal, "cannot truncate " + name_ + " into the tape it held before");
    buffer_.clear();
    if (::ftruncate(fd_.get(), off_t(pos)) != 0)
        write_failed(name_, pos, "cannot truncate", errno);
    buffer_start_ = pos;
}

void TapeOutput::finish()
{
    if (finished_)
        return;
    flush(true);
    Place place;
    place.file = name_;
    if (mode_ != Mode::Stream) {
        if (::fsync(fd_.get()) != 0)
            write_failed(name_, position(), "cannot sync to disk", errno);
    } else {
        struct stat st {};
        if (::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_.get()) != 0)
            write_failed(name_, position(), "cannot sync to disk", errno);
    }
    if (fd_.close() != 0)
        write_failed(name_, position(), "cannot close", errno);
    if (mode_ == Mode::NewFile) {
        int rc;
        if (overwrite_) {
            rc = ::rename(temp_path_.c_str(), name_.c_str());
        } else {
            // Never replace a file that appeared while we were writing.
            rc = ::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, name_.c_str(), RENAME_NOREPLACE);
            if (rc != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
                struct stat st {};
                if (::stat(name_.c_str(), &st) == 0)
                    errno = EEXIST;
                else
                    rc = ::rename(temp_path_.c_str(), name_.c_str());
            }
        }
        if (rc != 0) {
            int err = errno;
            ::unlink(temp_path_.c_str());
            finished_ = true;
            if (err == EEXIST)
                fail(ErrorKind::Refused, place, "the tape file appeared while it was being written; left as it was");
            write_failed(name_, 0, ("cannot rename " + temp_path_ + " into place").c_str(), err);
        }
        sync_folder(folder_of(name_));
    }
    finished_ = true;
}

void TapeOutput::abandon() noexcept
{
    switch (mode_) {
    case Mode::NewFile:
        fd_.reset();
        if (!temp_path_.empty())
            ::unlink(temp_path_.c_str());
        break;
    case Mode::Append:
        if (fd_.valid()) {
            (void)::ftruncate(fd_.get(), off_t(keep_));
            (void)::fsync(fd_.get());
        }
        fd_.reset();
        break;
    case Mode::Stream:
        fd_.reset();
        break;
    }
}

} // namespace ddr::tapeio
