#include "formats/volume/cckd/file.hpp"

#include "formats/io/error.hpp"

namespace ddr::cckd {

FileHandle FileHandle::open_read(const std::string& path)
{
    return FileHandle(open_existing(path, false), path);
}

TempFile::TempFile(const std::string& target, unsigned mode)
    : pending_(target, CommitRule::NoReplace, mode),
      // PendingFile closes the descriptor; messages name the target, not its temporary.
      file_(UniqueFd::borrowed(pending_.fd()), target)
{
}

TempFile::~TempFile() { discard(); }

const std::string& TempFile::path() const { return pending_.temp_path(); }

void TempFile::discard() noexcept
{
    file_.close();
    pending_.discard();
}

void TempFile::commit(CommitRule rule, const std::string& target)
{
    file_.sync();
    file_.close();
    if (target != pending_.final_path())
        fail(ErrorKind::Internal, file_place(target), "a temporary file made for " + pending_.final_path() + " committed here");
    // The rule is chosen here: an update replaces the image it was made from.
    pending_.set_commit_rule(rule);
    pending_.close();
    pending_.rename_into_place();
}

void TempFile::commit_new(const std::string& target) { commit(CommitRule::NoReplace, target); }

void TempFile::commit_replace(const std::string& target) { commit(CommitRule::Replace, target); }

} // namespace ddr::cckd
