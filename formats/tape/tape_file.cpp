#include "formats/tape/tape_file.hpp"

#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr::tapeio {

namespace {

// Large enough for few system calls, small enough that the writer thread copies it into
// the page cache while it is still in the caches and the TLB: on the VMs this runs on,
// writing a 1.2 GB tape from 2 MB buffers cost 1.2 s of CPU, from 256 KB ones 0.25 s.
constexpr size_t kOutputBuffer = size_t(256) << 10;
constexpr uint64_t kWritebackStretch = uint64_t(16) << 20;

// Callers pass errno directly: the other arguments must not allocate (which could
// change errno before it is read), hence `const char*`.
[[noreturn]] void write_failed(const std::string& name, uint64_t offset, const char* what, int err)
{
    Place place;
    place.file = name;
    place.offset = offset;
    fail(ErrorKind::WriteFailed, place, std::string(what) + ": " + os_error_text(err));
}

// Writes all of `bytes`: at `at` in a file, or next in a stream.  Throws Error(WriteFailed).
// In a file, each whole stretch of kWritebackStretch bytes starts going to disk once
// writing has passed its end: the tape is synced when it is finished, and by then most of
// it is already there, instead of all of it being written during that final sync.
void write_at(int fd, bool stream, const std::string& name, ByteSpan bytes, uint64_t at)
{
    const Transfer t = stream ? write_full(fd, bytes) : pwrite_full(fd, bytes, at);
    if (t.done < bytes.size())
        write_failed(name, at + t.done, "write error", t.error != 0 ? t.error : EIO);
    const uint64_t end = at + bytes.size();
    if (!stream && end / kWritebackStretch > at / kWritebackStretch) {
        const uint64_t stretch_end = end / kWritebackStretch * kWritebackStretch;
        start_writeback(fd, stretch_end - kWritebackStretch, kWritebackStretch);
    }
}

} // namespace

UniqueFd open_for_reading(const std::string& path)
{
    if (path == "-")
        return UniqueFd::borrowed(STDIN_FILENO);
    UniqueFd fd = open_existing(path, false);
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
        (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    return fd;
}

// ---- BufferedInput ----

// A file's buffers are small, yet views into them must last as long as a tape reader promises.
static_assert(BufferedInput::kFileBuffer - 2 * BufferedInput::kMaxRequest >= kStableViewBytes);

BufferedInput::BufferedInput(std::string name, UniqueFd fd, size_t buffer_size)
    : name_(std::move(name)), fd_(std::move(fd)), capacity_(std::max<size_t>(buffer_size, 64))
{
    struct stat st {};
    regular_file_ = fd_ && ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
    if (regular_file_)
        capacity_ = std::min(capacity_, kFileBuffer);
    max_fill_ = regular_file_ ? std::min(capacity_, kFileFill) : capacity_;
    // A file that fits in less, with a request's room behind it, never needs the second
    // buffer unless it grows, and its first one need be no larger.
    first_size_ = capacity_;
    if (regular_file_ && capacity_ > kMaxRequest && st.st_size >= 0 && uint64_t(st.st_size) < capacity_ - kMaxRequest)
        first_size_ = std::max<size_t>(size_t(st.st_size) + kMaxRequest, 64);
}

void BufferedInput::allocate(unsigned which, size_t size)
{
    if (sizes_[which] >= size)
        return;
    buffers_[which] = std::make_unique_for_overwrite<uint8_t[]>(size);
    sizes_[which] = size;
}

void BufferedInput::switch_buffers()
{
    // A first buffer smaller than capacity_ is replaced: no span in it is still promised
    // when the reader comes back to it (see view_life()).
    allocate(current_ ^ 1, capacity_);
    const std::unique_ptr<uint8_t[]>& next = buffers_[current_ ^ 1];
    std::memcpy(next.get(), current() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    current_ ^= 1;
}

ByteSpan BufferedInput::take(size_t n)
{
    ByteSpan out = peek(n);
    consume(out.size());
    return out;
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
        fail(ErrorKind::ReadFailed, place, "read error: " + os_error_text(err));
    }
}

void BufferedInput::refill_ahead(size_t n)
{
    const size_t headroom = kMaxThreadedRequest;
    if (n > headroom)
        fail(ErrorKind::Internal, file_place(name_, offset_),
             "a read of " + std::to_string(n) + " bytes at once is more than the reader allows");
    if (!ahead_)
        ahead_ = std::make_unique<ReadAhead>(name_, std::move(fd_), capacity_, headroom);
    while (end_ - begin_ < n && !at_end_) {
        ReadAhead::Chunk chunk = ahead_->next();
        if (chunk.length == 0 && chunk.end) {
            at_end_ = true;
            break;
        }
        // The unread tail (< n bytes) goes just in front of the new bytes, so the request
        // is one span; the buffer it came from is still the reader's until the next turn.
        const size_t left = end_ - begin_;
        uint8_t* front = chunk.base + headroom - left;
        if (left > 0)
            std::memcpy(front, current() + begin_, left);
        ahead_base_ = chunk.base;
        begin_ = headroom - left;
        end_ = headroom + chunk.length;
        at_end_ = chunk.end;
    }
}

ByteSpan BufferedInput::peek(size_t n)
{
    n = std::min(n, capacity_);
    if (end_ - begin_ < n && !at_end_ && threaded()) {
        refill_ahead(n);
    } else if (end_ - begin_ < n && !at_end_) {
        if (!buffers_[current_])
            allocate(current_, first_size_);
        // Spans already handed out lie in this buffer: it is only ever appended to, and
        // the reader moves to the other one when the request does not fit behind them.
        if (begin_ + n > sizes_[current_] || sizes_[current_] - end_ < kMaxRequest) {
            // A first buffer sized to a small file holds all of it unless the file grew
            // since: read to the buffer's end before moving to a full-sized one.
            while (sizes_[current_] < capacity_ && end_ < sizes_[current_] && !at_end_)
                end_ += fill(current() + end_, sizes_[current_] - end_);
            if (!at_end_)
                switch_buffers();
        }
        while (end_ - begin_ < n) {
            const size_t want = std::max(n - (end_ - begin_), std::min(next_fill_, sizes_[current_] - end_));
            next_fill_ = std::min(max_fill_, next_fill_ * 2);
            const size_t got = fill(current() + end_, want);
            if (got == 0)
                break;
            end_ += got;
        }
    }
    return ByteSpan(current() + begin_, std::min(n, end_ - begin_));
}

void BufferedInput::consume(size_t n)
{
    n = std::min(n, end_ - begin_);
    begin_ += n;
    offset_ += n;
}

size_t BufferedInput::read(uint8_t* out, size_t n)
{
    if (n == 0)
        return 0;  // an empty block: `out` may be null, and memcpy must not see it
    size_t done = std::min(n, end_ - begin_);
    if (done > 0)
        std::memcpy(out, current() + begin_, done);
    consume(done);
    while (done < n) {
        const size_t want = n - done;
        size_t got;
        if (want >= capacity_ / 2 && !threaded()) {
            // Big reads go straight to the caller, without a copy through the buffer.
            got = fill(out + done, want);
            offset_ += got;
        } else {
            ByteSpan more = peek(threaded() ? std::min(want, kMaxThreadedRequest) : want);
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

TapeOutput::TapeOutput(Mode mode, std::string name, uint64_t start)
    : mode_(mode), name_(std::move(name)), keep_(start), buffer_start_(start)
{
    // Room for a full buffer plus the largest block, so steady-state writes never allocate.
    buffer_.reserve(kOutputBuffer + (size_t(4) << 20));
}

TapeOutput::TapeOutput(TapeOutput&& other) noexcept
    : mode_(other.mode_), name_(std::move(other.name_)), pending_(std::move(other.pending_)),
      stream_(std::move(other.stream_)), keep_(other.keep_), buffer_(std::move(other.buffer_)),
      buffer_start_(other.buffer_start_), hold_from_(other.hold_from_), finished_(other.finished_),
      check_end_(other.check_end_), check_window_(std::move(other.check_window_)),
      check_window_start_(other.check_window_start_), mismatch_at_(other.mismatch_at_),
      behind_(std::move(other.behind_))
{
    other.pending_.reset();
    other.finished_ = true;
}

// An unfinished file is discarded by its PendingFile; a tape being appended to was
// never touched.
TapeOutput::~TapeOutput() = default;

bool TapeOutput::is_stream_path(const std::string& path)
{
    if (path == "-")
        return true;
    const FileKind kind = file_status(path).kind;
    return kind == FileKind::Fifo || kind == FileKind::CharDevice;
}

TapeOutput TapeOutput::create_file(const std::string& path, bool replace)
{
    const FileStatus st = file_status(path);
    if (st.kind == FileKind::Folder)
        fail(ErrorKind::Refused, file_place(path), "is a folder, not a tape file");
    if (st.exists() && !replace)
        fail(ErrorKind::Refused, file_place(path), "the tape file already exists");
    TapeOutput out(Mode::NewFile, path, 0);
    out.pending_.emplace(path, replace ? CommitRule::Replace : CommitRule::NoReplace);
    return out;
}

TapeOutput TapeOutput::append_file(const std::string& path, uint64_t keep)
{
    UniqueFd source(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!source)
        write_failed(path, 0, "cannot open for appending", errno);
    struct stat st {};
    if (::fstat(source.get(), &st) != 0)
        write_failed(path, 0, "cannot open for appending", errno);
    if (uint64_t(st.st_size) < keep)
        fail(ErrorKind::Internal, "cannot keep " + std::to_string(keep) + " bytes of " + path + ", which holds " +
                                      std::to_string(st.st_size));
    TapeOutput out(Mode::Append, path, keep);
    out.pending_.emplace(path, CommitRule::Replace, unsigned(st.st_mode) & 07777u);
    const int fd = out.pending_->fd();
    // The new version keeps the tape's permissions and, where we may, its owner.
    (void)::fchmod(fd, st.st_mode & 07777);
    (void)::fchown(fd, st.st_uid, st.st_gid);
    if (int err = copy_file_prefix(source.get(), fd, keep))
        write_failed(path, 0, ("cannot copy the tape into " + out.pending_->temp_path() + " to append to it").c_str(), err);
    return out;
}

TapeOutput TapeOutput::resume_file(const std::string& path, const std::string& temp_path, uint64_t checked_end,
                                   bool replace)
{
    if (file_status(path).exists() && !replace)
        fail(ErrorKind::Refused, file_place(path), "the tape file already exists");
    // Looked at before it is taken up: a file refused here is left as it is.
    const FileStatus st = file_status(temp_path);
    if (st.kind == FileKind::Regular && st.size < checked_end)
        fail(ErrorKind::Unreadable, file_place(temp_path, st.size),
             "holds " + std::to_string(st.size) + " bytes, but the interrupted run recorded " +
                 std::to_string(checked_end) + " as written: it is not the file the record describes");
    TapeOutput out(Mode::NewFile, path, 0);
    out.pending_.emplace(PendingFile::adopt(path, temp_path));
    out.pending_->set_commit_rule(replace ? CommitRule::Replace : CommitRule::NoReplace);
    // What came after the last recorded byte is whatever the interrupted run had begun.
    if (::ftruncate(out.fd(), off_t(checked_end)) != 0)
        write_failed(temp_path, checked_end, "cannot cut it back to where its record ends", errno);
    out.check_end_ = checked_end;
    return out;
}

ByteSpan TapeOutput::check_prefix(ByteSpan bytes)
{
    constexpr size_t kWindow = size_t(1) << 20;
    while (!bytes.empty() && buffer_start_ < check_end_) {
        const uint64_t at = buffer_start_;
        if (at < check_window_start_ || at >= check_window_start_ + check_window_.size()) {
            check_window_.resize(size_t(std::min<uint64_t>(kWindow, check_end_ - at)));
            const Transfer t = pread_full(fd(), check_window_, at);
            if (t.done < check_window_.size())
                fail(ErrorKind::ReadFailed, file_place(pending_->temp_path(), at + t.done),
                     "read error: " + os_error_text(t.error != 0 ? t.error : EIO));
            check_window_start_ = at;
        }
        const size_t from = size_t(at - check_window_start_);
        const size_t n = std::min(bytes.size(), check_window_.size() - from);
        const auto [mine, theirs] = std::mismatch(bytes.begin(), bytes.begin() + std::ptrdiff_t(n),
                                                  check_window_.begin() + std::ptrdiff_t(from));
        if (mine != bytes.begin() + std::ptrdiff_t(n) && !mismatch_at_)
            mismatch_at_ = at + uint64_t(mine - bytes.begin());
        buffer_start_ += n;
        bytes = bytes.subspan(n);
    }
    if (buffer_start_ >= check_end_)
        check_window_ = Bytes();
    return bytes;
}

void TapeOutput::settle() const
{
    if (mismatch_at_)
        throw ResumeMismatch(file_place(pending_->temp_path(), *mismatch_at_),
                             "the tape written again differs here from what the interrupted run wrote");
}

uint64_t TapeOutput::sync()
{
    settle();
    flush(true);
    if (pending_)
        pending_->sync();
    return position();
}

std::string TapeOutput::temporary_path() const
{
    return mode_ == Mode::NewFile && pending_ ? pending_->temp_path() : std::string();
}

void TapeOutput::keep_unfinished() noexcept
{
    if (mode_ != Mode::NewFile || !pending_ || finished_)
        return;
    if (behind_) {
        try {
            behind_->drain();  // nothing may still be writing once the descriptor is closed
        } catch (...) {
            // A failed write: the record names only bytes synced before it.
        }
    }
    pending_->keep();
}

TapeOutput TapeOutput::open_stream(const std::string& path)
{
    if (path == "-") {
        TapeOutput out(Mode::Stream, "standard output", 0);
        out.stream_ = UniqueFd::borrowed(STDOUT_FILENO);
        return out;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        write_failed(path, 0, "cannot open", errno);
    TapeOutput out(Mode::Stream, path, 0);
    out.stream_ = UniqueFd(fd);
    return out;
}

void TapeOutput::write(ByteSpan bytes)
{
    if (finished_)
        fail(ErrorKind::Internal, "write to a tape that is already finished: " + name_);
    if (buffer_start_ < check_end_)
        bytes = check_prefix(bytes);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    if (buffer_.size() >= kOutputBuffer)
        flush(false);
}

WriteBehind& TapeOutput::behind()
{
    if (!behind_)
        behind_ = std::make_unique<WriteBehind>();
    return *behind_;
}

// Hands the first `count` bytes of the buffer (all of them if `everything`, else those
// before a stream's hold) to the writer thread; with `everything`, waits until all is written.
void TapeOutput::flush(bool everything)
{
    size_t count = buffer_.size();
    if (!everything && mode_ == Mode::Stream && hold_from_ != UINT64_MAX)
        count = hold_from_ > buffer_start_ ? size_t(std::min<uint64_t>(hold_from_ - buffer_start_, count)) : 0;
    if (count > 0 && everything && !behind_) {
        // A small output, all of it at once: no thread is worth starting.
        write_at(fd(), mode_ == Mode::Stream, name_, buffer_, buffer_start_);
        buffer_start_ += count;
        buffer_.clear();
    } else if (count > 0) {
        Bytes next = behind().take_buffer(kOutputBuffer + (size_t(4) << 20));
        next.assign(buffer_.begin() + std::ptrdiff_t(count), buffer_.end());  // a stream's held bytes
        buffer_.resize(count);
        // The job gets copies, not `this`: a TapeOutput may be moved.
        behind().submit(std::move(buffer_), [fd = fd(), stream = mode_ == Mode::Stream, name = name_,
                                             at = buffer_start_](ByteSpan bytes) {
            write_at(fd, stream, name, bytes, at);
        });
        buffer_ = std::move(next);
        buffer_start_ += count;
    }
    if (everything && behind_)
        behind_->drain();
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
    if (pos < check_end_) {
        back_into_checked(pos);
        return;
    }
    if (pos >= buffer_start_) {
        buffer_.resize(size_t(pos - buffer_start_));
        return;
    }
    if (mode_ == Mode::Stream)
        fail(ErrorKind::Internal, "cannot take back bytes already sent to " + name_);
    if (mode_ == Mode::Append && pos < keep_)
        fail(ErrorKind::Internal, "cannot truncate " + name_ + " into the tape it held before");
    buffer_.clear();
    if (behind_)
        behind_->drain();  // nothing still being written may land past the new end
    if (::ftruncate(fd(), off_t(pos)) != 0)
        write_failed(name_, pos, "cannot truncate", errno);
    buffer_start_ = pos;
}

// Contract: truncate() to `pos` below check_end_.  Whatever was written past check_end_
// goes (the file is cut back there), the compared bytes from `pos` on are compared again
// as they are written again, and a difference found among them is forgotten.
void TapeOutput::back_into_checked(uint64_t pos)
{
    if (position() > check_end_) {
        buffer_.clear();
        if (behind_)
            behind_->drain();
        if (::ftruncate(fd(), off_t(check_end_)) != 0)
            write_failed(name_, check_end_, "cannot truncate", errno);
    }
    buffer_start_ = pos;
    if (mismatch_at_ && *mismatch_at_ >= pos)
        mismatch_at_.reset();
}

void TapeOutput::finish()
{
    if (finished_)
        return;
    settle();
    if (position() < check_end_)
        throw ResumeMismatch(file_place(pending_->temp_path(), position()),
                             "the tape written again ends here, before the end the interrupted run recorded (" +
                                 std::to_string(check_end_) + ")");
    flush(true);
    if (pending_) {
        // The file ends where our writing ends (a rewind may have left more behind).
        if (::ftruncate(fd(), off_t(position())) != 0)
            write_failed(name_, position(), "cannot cut the file where the tape ends", errno);
        try {
            pending_->commit();
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::Refused)
                fail(ErrorKind::Refused, e.place(), "the tape file appeared while it was being written; left as it was");
            throw;
        }
    } else {
        struct stat st {};
        if (::fstat(fd(), &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd()) != 0)
            write_failed(name_, position(), "cannot sync to disk", errno);
        if (const int err = stream_.close(); err != 0)
            write_failed(name_, position(), "cannot close", err);
    }
    finished_ = true;
}

} // namespace ddr::tapeio
