#include "tests/unit/support.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ddr::test {

TempDir::TempDir()
{
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path p = fs::temp_directory_path() / ("ddr-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::error_code ec;
        if (fs::create_directory(p, ec)) {
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot make a temporary folder");
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path fixtures_dir()
{
    if (const char* env = std::getenv("DDR_FIXTURES"))
        return env;
    for (fs::path p : {fs::path("../shared/fixtures/ddr-r6"), fs::path("../../shared/fixtures/ddr-r6")}) {
        if (fs::exists(p / "MANIFEST.json"))
            return fs::absolute(p);
    }
    return {};
}

std::string fixture(const std::string& case_name, const std::string& file)
{
    fs::path dir = fixtures_dir();
    if (dir.empty())
        throw std::runtime_error("IBM DDR fixtures not found (../shared/fixtures/ddr-r6 or $DDR_FIXTURES)");
    fs::path src = dir / case_name / file;
    if (fs::exists(src))
        return src.string();
    fs::path xz = dir / case_name / (file + ".xz");
    if (!fs::exists(xz))
        throw std::runtime_error("no fixture " + xz.string());
    fs::path cache = fs::temp_directory_path() / ("ddr-fixtures-" + std::to_string(::getuid())) / case_name;
    fs::create_directories(cache);
    fs::path out = cache / file;
    if (fs::exists(out) && fs::last_write_time(out) >= fs::last_write_time(xz))
        return out.string();
    fs::path tmp = out;
    tmp += ".tmp" + std::to_string(::getpid());
    std::string cmd = "xz -dc '" + xz.string() + "' > '" + tmp.string() + "'";
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("cannot decompress " + xz.string());
    fs::rename(tmp, out);
    return out.string();
}

Bytes read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, ByteSpan bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> names_in(const std::filesystem::path& folder)
{
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(folder))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

FedPipe::FedPipe(const Bytes& data, size_t piece)
{
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error("cannot make a pipe");
    read_end = UniqueFd(fds[0]);
    feeder_ = std::thread([&data, piece, out = fds[1]] {
        for (size_t at = 0; at < data.size();) {
            const ssize_t n = ::write(out, data.data() + at, std::min(data.size() - at, piece));
            if (n <= 0)
                break;
            at += size_t(n);
        }
        ::close(out);
    });
}

FedPipe::~FedPipe()
{
    feeder_.join();
}

} // namespace ddr::test
