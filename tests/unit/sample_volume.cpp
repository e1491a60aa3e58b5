#include "tests/unit/sample_volume.hpp"

#include "formats/io/ebcdic.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace ddr::test {

namespace {

const std::array<const char*, 12> kCards = {
    "         USING *,R15          ESTABLISH ADDRESSABILITY",
    "//SYSIN    DD  *",
    "         L     R1,=A(BUFFER)   POINT TO THE BUFFER",
    "//STEP1   EXEC PGM=IEBGENER,REGION=4096K",
    "* RESTORE THE SYSTEM RESIDENCE VOLUME FROM THE WEEKLY DUMP",
    "         BALR  R14,R15         CALL THE ROUTINE",
    "DMKDDR   CSECT",
    "         DC    CL8'DDR     '",
    "//SYSUT2   DD  DSN=SYS1.PARMLIB,DISP=SHR",
    "  THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789",
    "         MVC   0(80,R3),CARD   MOVE ONE CARD IMAGE",
    "         END   DMKDDR",
};

enum Content { kZeros, kCardImages, kRandom, kBinary, kPattern };

} // namespace

SampleVolume::SampleVolume(const CkdDevice& device, std::string volser, uint64_t seed, bool hercules_clean)
    : dev_(device), volser_(std::move(volser)), seed_(seed), hercules_clean_(hercules_clean)
{
}

Bytes SampleVolume::make_data(size_t n, int content)
{
    Bytes out(n);
    switch (content) {
    case kZeros:
        break;
    case kCardImages: {
        size_t pos = 0;
        while (pos < n) {
            std::string card = kCards[rng_() % kCards.size()];
            card.resize(80, ' ');
            Bytes e = to_ebcdic(card);
            size_t take = std::min(n - pos, e.size());
            std::copy(e.begin(), e.begin() + std::ptrdiff_t(take), out.begin() + std::ptrdiff_t(pos));
            pos += take;
        }
        break;
    }
    case kRandom:
        for (auto& b : out)
            b = uint8_t(rng_());
        break;
    case kBinary:
        for (size_t i = 0; i < n; i += 4) {
            uint32_t v = uint32_t(rng_() % 65536);
            for (size_t k = 0; k < 4 && i + k < n; ++k)
                out[i + k] = uint8_t(v >> (24 - 8 * k));
        }
        break;
    default:
        for (size_t i = 0; i < n; ++i)
            out[i] = uint8_t(i * 7 + 3);
        break;
    }
    return out;
}

void SampleVolume::add(TrackImage& t, TrackAddress addr, uint8_t r, const uint8_t* cchh, uint8_t kl, uint16_t dl,
                       int content)
{
    uint8_t count[8];
    if (cchh)
        std::copy(cchh, cchh + 4, count);
    else
        encode_cchh(count, addr);
    count[4] = r;
    count[5] = kl;
    store_be16(count + 6, dl);
    Bytes key = make_data(kl, kl % 2 ? kRandom : kCardImages);
    Bytes data = make_data(dl, content);
    t.add_record(count, key, data);
}

TrackImage SampleVolume::track(TrackAddress addr, unsigned fill)
{
    rng_.seed(seed_ ^ (uint64_t(addr.cyl) << 20) ^ addr.head ^ 0x9E3779B97F4A7C15ULL);
    TrackImage t;
    t.start(0, addr);
    uint8_t r0[8];
    encode_cchh(r0, addr);
    r0[4] = 0;
    r0[5] = 0;
    store_be16(r0 + 6, 8);

    if (addr.cyl == 0 && addr.head == 0) {
        recipe_ = "track0";
        return dasdinit_track0(volser_);
    }
    Bytes r0data(8, 0);
    unsigned roll = unsigned(rng_() % 100);
    const bool empty = roll >= fill && !(addr.cyl == 0 && addr.head == 1);
    bool r0_nonzero = rng_() % 10 == 0 && !(hercules_clean_ && empty);
    if (r0_nonzero)
        r0data = make_data(8, kCardImages);
    t.add_record(r0, {}, r0data);

    if (empty) {
        recipe_ = r0_nonzero ? "empty-r0data" : "empty";
        t.finish();
        return t;
    }

    // Counts of a minidisk or REORDERed copy name another cylinder than the track's.
    uint8_t foreign[4];
    const bool foreign_cchh = rng_() % 8 == 0;
    encode_cchh(foreign, {addr.cyl >= 100 ? addr.cyl - 100 : addr.cyl + 7, addr.head});
    const uint8_t* cchh = foreign_cchh ? foreign : nullptr;

    std::vector<RecordShape> shapes;
    auto fits = [&](uint8_t kl, uint16_t dl) {
        shapes.push_back({kl, dl});
        bool ok = track_fits(dev_, shapes);
        if (!ok)
            shapes.pop_back();
        return ok;
    };

    const unsigned recipe = (addr.cyl == 0 && addr.head == 1) ? 100u : unsigned(rng_() % 9);
    uint8_t r = 1;
    switch (recipe) {
    case 100:  // a VTOC: format-4 DSCB then empty DSCBs, key 44 + data 96
        recipe_ = "vtoc";
        while (r < 40 && fits(44, 96)) {
            add(t, addr, r, nullptr, 44, 96, r == 1 ? kBinary : kZeros);
            ++r;
        }
        break;
    case 0:  // end-of-file only
        recipe_ = "eof";
        fits(0, 0);
        add(t, addr, r++, hercules_clean_ ? nullptr : cchh, 0, 0, kZeros);
        if (hercules_clean_ && r0_nonzero == false && fits(0, 80))
            add(t, addr, r++, nullptr, 0, 80, kCardImages);  // an end-of-file alone would be a null track
        break;
    case 1: {  // CMS-style blocks of 800..4096 bytes
        recipe_ = "cms";
        const uint16_t sizes[] = {800, 1024, 2048, 4096};
        uint16_t bs = sizes[rng_() % 4];
        while (r < 200 && fits(0, bs))
            add(t, addr, r++, cchh, 0, bs, rng_() % 3 ? kCardImages : kRandom);
        break;
    }
    case 2: {  // OS fixed-blocked card images, then an end-of-file mark
        recipe_ = "osfb";
        uint16_t bs = uint16_t(80 * (1 + rng_() % std::max<uint32_t>(1, std::min<uint32_t>(dev_.r1_max / 80, 80))));
        while (r < 200 && fits(0, bs))
            add(t, addr, r++, cchh, 0, bs, kCardImages);
        if (fits(0, 0))
            add(t, addr, r++, cchh, 0, 0, kZeros);
        break;
    }
    case 3:  // a PDS directory: key 8, data 256
        recipe_ = "pdsdir";
        while (r < 60 && fits(8, 256))
            add(t, addr, r++, cchh, 8, 256, kBinary);
        break;
    case 4: {  // one record filling the track, keyed or not
        recipe_ = "full";
        uint8_t kl = rng_() % 2 ? 0 : 8;
        uint16_t dl = uint16_t(dev_.r1_max - (kl ? 200 : 0));
        while (dl > 1 && !fits(kl, dl))
            dl = uint16_t(dl - std::min<uint16_t>(dl - 1, 64));
        add(t, addr, r++, cchh, kl, dl, kRandom);
        break;
    }
    case 5: {  // many small records
        recipe_ = "manysmall";
        while (r < 250 && fits(0, uint16_t(1 + r % 40))) {
            add(t, addr, r, cchh, 0, uint16_t(1 + r % 40), kPattern);
            ++r;
        }
        break;
    }
    case 6: {  // keyed end-of-file record followed by a data record; odd record numbers
        recipe_ = "keyeof";
        if (fits(0, 100))
            add(t, addr, 1, cchh, 0, 100, kCardImages);
        if (fits(8, 0))
            add(t, addr, 3, cchh, 8, 0, kZeros);
        if (fits(0, 120))
            add(t, addr, 5, cchh, 0, 120, kBinary);
        break;
    }
    case 7: {  // random keys and lengths
        recipe_ = "randomkeys";
        for (int i = 0; i < 20; ++i) {
            uint8_t kl = uint8_t(1 + rng_() % 255);
            uint16_t dl = uint16_t(rng_() % 3000);
            if (!fits(kl, dl))
                break;
            add(t, addr, r++, cchh, kl, dl, int(rng_() % 5));
        }
        break;
    }
    default: {  // mixed
        recipe_ = "mixed";
        for (int i = 0; i < 12; ++i) {
            uint8_t kl = rng_() % 3 == 0 ? uint8_t(rng_() % 64) : 0;
            uint16_t dl = uint16_t(rng_() % 5000);
            if (!fits(kl, dl))
                break;
            add(t, addr, r++, cchh, kl, dl, int(rng_() % 5));
        }
        break;
    }
    }
    if (foreign_cchh)
        recipe_ += "+cchh";
    if (r0_nonzero)
        recipe_ += "+r0data";
    t.finish();
    return t;
}

void write_sample_volume(const std::string& path, const CkdDevice& device, uint32_t cylinders,
                         const std::string& volser, uint64_t seed, unsigned fill, bool hercules_clean)
{
    NewCkdVolume spec;
    spec.format = device.eav ? "CKD_E064" : "CKD_P370";
    spec.devtype_byte = device.hercules_devtype();
    spec.heads = device.heads;
    spec.track_size = device.hercules_track_size();
    spec.cylinders = cylinders;
    auto volume = create_ckd_volume(path, spec);
    SampleVolume sample(device, volser, seed, hercules_clean);
    // An EAV (up to 17.7 million tracks) gets contents where addressing changes -- the
    // first cylinders, around 65,520 and 65,536, the last -- and stays empty elsewhere.
    auto wanted = [&](uint32_t c) {
        if (!device.eav)
            return true;
        return c < 3 || (c >= 65518 && c <= 65522) || (c >= 65534 && c <= 65538) || c + 3 >= cylinders;
    };
    for (uint32_t c = 0; c < cylinders; ++c) {
        if (!wanted(c))
            continue;
        for (uint32_t h = 0; h < device.heads; ++h)
            volume->write_track({c, h}, sample.track({c, h}, fill));
    }
    volume->commit();
}

} // namespace ddr::test
