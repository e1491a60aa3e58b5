// Helpers shared by the unit tests: temporary folders and the IBM DDR fixtures.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/file.hpp"

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace ddr::test {

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// The folder holding the IBM DDR R6 fixtures (../shared/fixtures/ddr-r6 from the project
// root, or $DDR_FIXTURES).  Empty if it cannot be found.
std::filesystem::path fixtures_dir();

// The uncompressed content of fixture `case_name`/`file` (e.g. "dev-3330", "dump.aws"),
// decompressed from its .xz once per test run into a cache folder.  Returns the path.
std::string fixture(const std::string& case_name, const std::string& file);

Bytes read_file(const std::string& path);
void write_file(const std::string& path, ByteSpan bytes);
// The names in `folder` (hidden ones too), sorted: what a test left there.
std::vector<std::string> names_in(const std::filesystem::path& folder);

// A pipe whose far end a thread feeds with `data` (which must outlive it), `piece` bytes
// a write, then closes; the destructor waits for the thread.  read_end is for the test.
struct FedPipe {
    FedPipe(const Bytes& data, size_t piece);
    ~FedPipe();
    FedPipe(const FedPipe&) = delete;
    FedPipe& operator=(const FedPipe&) = delete;
    UniqueFd read_end;

private:
    std::thread feeder_;
};

} // namespace ddr::test
