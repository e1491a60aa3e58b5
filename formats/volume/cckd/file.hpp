// File access for the compressed (CCKD/CFBA) containers: an open file with its name,
// whose positioned reads and writes are the file layer's (io/file.hpp) and report errors
// naming the file and offset, and a temporary file that becomes the real one only on
// commit.
//
// Private to the cckd_* / cfba_* modules (namespace ddr::cckd).
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/file.hpp"

#include <cstdint>
#include <string>

namespace ddr::cckd {

// An open file and the name errors give it: a thin holder over UniqueFd.
class FileHandle {
public:
    FileHandle() = default;
    FileHandle(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

    // Opens an existing file for reading (open_existing).  Error(ReadFailed) if it cannot.
    static FileHandle open_read(const std::string& path);

    bool is_open() const { return bool(fd_); }
    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }
    // The file's size in bytes (file_size).
    uint64_t size() const { return file_size(fd_.get(), path_); }

    // Reads exactly out.size() bytes at `offset` (pread_exact): a file that ends first is
    // Error(Unreadable), an I/O error Error(ReadFailed).
    void read_exact(uint64_t offset, MutableByteSpan out) const { pread_exact(fd_.get(), out, offset, file_place(path_)); }
    // Writes all of `data` at `offset` (pwrite_all); Error(WriteFailed) otherwise.
    void write_exact(uint64_t offset, ByteSpan data) { pwrite_all(fd_.get(), data, offset, file_place(path_)); }
    // Makes the writes durable (sync_file); Error(WriteFailed).
    void sync() { sync_file(fd_.get(), file_place(path_)); }
    void close() { fd_.reset(); }

private:
    UniqueFd fd_;
    std::string path_;
};

// A new file beside `target`, made as the project's PendingFile makes every file (a
// locked temporary name), seen here through a FileHandle that borrows its descriptor.  It is removed when the
// object is destroyed unless one of the commit calls moved it into place first.
class TempFile {
public:
    explicit TempFile(const std::string& target, unsigned mode = 0644);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    FileHandle& file() { return file_; }
    const std::string& path() const;

    // Flushes the data, then renames the file to `target`.  commit_new refuses
    // (Error(Refused)) if `target` exists by then; commit_replace replaces it.
    void commit_new(const std::string& target);
    void commit_replace(const std::string& target);
    // Closes and removes the file now.
    void discard() noexcept;

private:
    void commit(CommitRule rule, const std::string& target);

    PendingFile pending_;
    FileHandle file_;
};

} // namespace ddr::cckd
