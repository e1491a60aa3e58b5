#include "formats/volume/volume_snapshot.hpp"

#include "formats/volume/ckd_image.hpp"
#include "formats/volume/volume.hpp"

namespace ddr {

std::vector<std::string> volume_files(const std::string& path)
{
    if (looks_like_ckd_volume(path))
        return open_ckd_volume(path)->info().files;
    return open_fba_volume(path)->info().files;
}

VolumeSnapshot::VolumeSnapshot(const std::string& path) : originals_(volume_files(path))
{
    // The clones must carry the names the reader steps through from the first one.
    for (size_t i = 1; i < originals_.size(); ++i)
        if (originals_[i] != ckd_member_name(originals_.front(), unsigned(i + 1)))
            fail(ErrorKind::Usage, file_place(originals_[i]),
                 "is a file of the volume that is not one of a split CKD set; instant copies of such a volume "
                 "(shadow files) are not made yet");
    clones_.reserve(originals_.size());
    clones_.push_back(clone_file(originals_.front()));
    for (size_t i = 1; i < originals_.size(); ++i)
        clones_.push_back(clone_file(originals_[i], ckd_member_name(image(), unsigned(i + 1))));
}

std::vector<std::string> VolumeSnapshot::clones() const
{
    std::vector<std::string> names;
    for (const PendingFile& c : clones_)
        names.push_back(c.temp_path());
    return names;
}

} // namespace ddr
