// fuzz_manifest: the input is a manifest file (formats/ddrtape/manifest.hpp), read as
// `ddr verify VOLUME --manifest FILE` reads it.
// read_manifest either throws a ddr::Error that is not Internal, or returns a manifest
// whose kind is ckd or fba, whose entries ascend by address, and in which every entry is
// found again by find() with its own hash.
#include "formats/ddrtape/manifest.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ddr;

namespace {

void check_manifest(const Manifest& m)
{
    fuzz::check(m.info.kind == "ckd" || m.info.kind == "fba", "a manifest of an unknown kind was accepted");
    for (size_t i = 0; i < m.tracks.size(); ++i) {
        const auto& [addr, hash] = m.tracks[i];
        if (i > 0) {
            fuzz::check(m.tracks[i - 1].first < addr, "manifest entries do not ascend");
        }
        const uint64_t* found = m.find(addr);
        fuzz::check(found && *found == hash, "a manifest entry is not found by its own address");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // read_manifest reads a path: a file in memory, as the disk would slow every input.
    static fuzz::MemoryFile file("fuzz-manifest");
    file.assign(ByteSpan(data, size));
    try {
        check_manifest(read_manifest(file.path()));
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return 0;
}
