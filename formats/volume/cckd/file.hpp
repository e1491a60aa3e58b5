// File access for the compressed (CCKD/CFBA) containers: an owned descriptor with
// positioned, exact reads and writes that report errors as ddr::Error naming the file
// and offset, and a temporary file that becomes the real one only on commit.
//
// Private to the cckd_* / cfba_* modules (namespace ddr::cckd); the shared file helpers
// of the project live elsewhere.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/file.hpp"

#include <cstdint>
#include <string>

namespace ddr::cckd {

class FileHandle {
public:
    FileHandle() = default;
    FileHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~FileHandle();
    FileHandle(FileHandle&& other) noexcept;
    FileHandle& operator=(FileHandle&& other) noexcept;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    // Opens an existing file for reading.  Throws Error(ReadFailed) if it cannot.
    static FileHandle open_read(const std::string& path);

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    uint64_t size() const;

    // Reads exactly out.size() bytes at `offset`.  A file that ends first is
    // Error(Unreadable) ("file ends at ..."); an I/O error is Error(ReadFailed).
    void read_exact(uint64_t offset, MutableByteSpan out) const;
    // Writes all of `data` at `offset`; Error(WriteFailed) otherwise.
    void write_exact(uint64_t offset, ByteSpan data);
    void sync();
    void close();

private:
    int fd_ = -1;
    std::string path_;
};

// A new file beside `target`, made as the project's PendingFile makes every file (a
// locked temporary name), seen here through a FileHandle.  It is removed when the
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
