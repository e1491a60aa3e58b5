// DdrTrackDecoder::begin() is not exception-safe: it overwrites header_ before its
// checks, and throws with received_, filled_ and buf_ still from the previous group.
// An add() after that writes past buf_ (ASan: heap-buffer-overflow, ddr_track.cpp:153).
// DdrStreamReader never calls add() after a failed begin(), so no tape reaches this
// today; a caller that catches the error and goes on with the same decoder would.
//
//   clang++ -std=c++20 -I. -g -fsanitize=address,undefined,fuzzer-no-link \
//       tests/fuzz/crashes/api--ddr-track-decoder-add-after-failed-begin.cpp \
//       build-fuzz/libddrcore.a -lxxhash -lbz2 -lz -o /tmp/begin-add && /tmp/begin-add
#include "formats/ddr_track.hpp"
#include "formats/error.hpp"

#include <algorithm>
#include <cstdio>

using namespace ddr;

int main()
{
    DdrTrackDecoder d;
    Bytes one(80, 0);  // a valid one-block group: 'THR ', 0 records, 0 full blocks, last block 80
    const uint8_t thr[4] = {0xE3, 0xC8, 0xD9, 0x40};
    std::copy(thr, thr + 4, one.begin());
    one[9] = 80;
    d.begin(one);

    Bytes bad = one;  // says 3 full blocks but is 80 bytes long: begin() throws ...
    bad[7] = 3;
    bad[9] = 0;
    try {
        d.begin(bad);
    } catch (const Error& e) {
        std::printf("begin: %s\n", e.what());
    }
    // ... with the new header (3 x 4096 bytes to come) over the old 80-byte buffer.
    Bytes block(4096, 0xAA);
    try {
        d.add(block);
    } catch (const Error& e) {
        std::printf("add: %s\n", e.what());
    }
    std::printf("no overflow\n");
}
