// The file layer: how every file is made (PendingFile), the no-replace rule, the cleanup
// of temporaries left by killed processes, and file identity.
#include "formats/io/file.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

// A PID that certainly runs no process: one of a child that has exited and been reaped.
long dead_pid()
{
    pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return long(child);
}

} // namespace

TEST_CASE("PendingFile: a hidden, locked temporary beside the target, renamed only on commit")
{
    TempDir dir;
    const std::string target = dir.file("vol.3390");
    {
        PendingFile f(target);
        const std::string prefix = ".vol.3390.ddr-tmp." + std::to_string(::getpid()) + ".";
        CHECK(fs::path(f.temp_path()).filename().string().rfind(prefix, 0) == 0);
        CHECK(fs::path(f.temp_path()).parent_path() == dir.path());
        // Its writer holds the lock: nobody else can take it.
        int other = ::open(f.temp_path().c_str(), O_RDONLY);
        REQUIRE(other >= 0);
        CHECK(::flock(other, LOCK_EX | LOCK_NB) != 0);
        ::close(other);
        write_file(f.temp_path(), Bytes{1, 2, 3});
        CHECK_FALSE(fs::exists(target));
        f.commit();
        CHECK(f.renamed());
    }
    CHECK(read_file(target) == Bytes{1, 2, 3});
    CHECK(names_in(dir.path()) == std::vector<std::string>{"vol.3390"});

    // Abandoned: nothing remains.
    { PendingFile f(dir.file("other")); }
    CHECK(names_in(dir.path()) == std::vector<std::string>{"vol.3390"});
}

TEST_CASE("PendingFile: the no-replace rule refuses a file that appeared, the replace rule replaces it")
{
    TempDir dir;
    const std::string target = dir.file("t.aws");
    PendingFile first(target);
    write_file(target, Bytes{9});
    try {
        first.commit();
        FAIL("a file that appeared was replaced");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(e.place().file == target);
    }
    CHECK(read_file(target) == Bytes{9});
    first.discard();

    PendingFile second(target, CommitRule::Replace);
    CHECK(::pwrite(second.fd(), "\x07", 1, 0) == 1);
    second.commit();
    CHECK(read_file(target) == Bytes{7});
    CHECK(names_in(dir.path()) == std::vector<std::string>{"t.aws"});

    // rename_no_replace itself.
    write_file(dir.file("a"), Bytes{1});
    write_file(dir.file("b"), Bytes{2});
    CHECK_THROWS_AS(rename_no_replace(dir.file("a"), dir.file("b")), Error);
    CHECK(read_file(dir.file("b")) == Bytes{2});
    rename_no_replace(dir.file("a"), dir.file("c"));
    CHECK(read_file(dir.file("c")) == Bytes{1});
    CHECK_FALSE(fs::exists(dir.file("a")));
}

TEST_CASE("remove_stale_temporaries: only ddr temporaries of processes that are gone")
{
    TempDir dir;
    const long gone = dead_pid();
    const std::string stale = dir.file(".vol.3390.ddr-tmp." + std::to_string(gone) + ".0a1b2c");
    const std::string stale_tape = dir.file(".t.aws.ddr-tmp." + std::to_string(gone) + ".ffffff");
    const std::string mine = dir.file(".vol.3390.ddr-tmp." + std::to_string(::getpid()) + ".000001");
    const std::string locked = dir.file(".x.ddr-tmp." + std::to_string(gone) + ".123456");
    const std::vector<std::string> kept_names = {"vol.3390",          "vol.3390.ddr-busy", ".vol.3390.ddr-tmp.abc.123456",
                                                 "x.ddr-tmp.1.123456", ".y.ddr-tmp.1.12345", ".z.ddr-tmp.1.12345g"};
    write_file(stale, Bytes(1000, 1));
    write_file(stale_tape, Bytes(10, 2));
    write_file(mine, Bytes{3});
    write_file(locked, Bytes{4});
    for (const std::string& n : kept_names)
        write_file(dir.file(n), Bytes{5});
    // A writer in another PID namespace would hold the lock though its PID looks dead.
    int holder = ::open(locked.c_str(), O_RDONLY);
    REQUIRE(holder >= 0);
    REQUIRE(::flock(holder, LOCK_EX) == 0);

    std::vector<StaleTemporary> removed = remove_stale_temporaries(dir.file("anything"));
    ::close(holder);
    std::sort(removed.begin(), removed.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    REQUIRE(removed.size() == 2);
    CHECK(removed[0].path == dir.path().string() + "/" + fs::path(stale_tape).filename().string());
    CHECK(removed[0].pid == gone);
    CHECK(removed[0].bytes == 10);
    CHECK(removed[1].bytes == 1000);
    CHECK_FALSE(fs::exists(stale));
    CHECK_FALSE(fs::exists(stale_tape));
    CHECK(fs::exists(mine));
    CHECK(fs::exists(locked));
    for (const std::string& n : kept_names)
        CHECK(fs::exists(dir.file(n)));

    // A live PendingFile of this process is never taken.
    // (The file whose holder has now let go is stale at last.)
    PendingFile live(dir.file("new.aws"));
    std::vector<StaleTemporary> again = remove_stale_temporaries(dir.file("new.aws"));
    REQUIRE(again.size() == 1);
    CHECK(again[0].path == dir.path().string() + "/" + fs::path(locked).filename().string());
    CHECK(fs::exists(live.temp_path()));
}

TEST_CASE("same_file: one file through any path or link; paths of files not made yet")
{
    TempDir dir;
    write_file(dir.file("a.3390"), Bytes{1});
    fs::create_hard_link(dir.file("a.3390"), dir.file("hard"));
    fs::create_symlink(dir.file("a.3390"), dir.file("soft"));
    fs::create_directory(dir.file("sub"));
    CHECK(same_file(dir.file("a.3390"), dir.file("hard")));
    CHECK(same_file(dir.file("soft"), dir.file("a.3390")));
    CHECK(same_file(dir.file("sub/../a.3390"), dir.file("a.3390")));
    CHECK_FALSE(same_file(dir.file("a.3390"), dir.file("sub")));
    CHECK(same_file(dir.file("new.aws"), dir.file("sub/../new.aws")));
    CHECK_FALSE(same_file(dir.file("new.aws"), dir.file("new2.aws")));
}

TEST_CASE("file_status: the kind and size of what a name is, through links; never throws")
{
    TempDir dir;
    write_file(dir.file("tape.aws"), Bytes(1000, 7));
    write_file(dir.file("empty"), Bytes{});
    fs::create_directory(dir.file("sub"));
    fs::create_symlink(dir.file("tape.aws"), dir.file("link"));
    fs::create_symlink(dir.file("gone"), dir.file("dangling"));
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);

    const FileStatus tape = file_status(dir.file("tape.aws"));
    CHECK(tape.kind == FileKind::Regular);
    CHECK(tape.size == 1000);
    CHECK(tape.exists());
    CHECK(file_status(dir.file("link")).kind == FileKind::Regular);
    CHECK(file_status(dir.file("link")).size == 1000);
    CHECK(file_status(dir.file("empty")).kind == FileKind::Regular);
    CHECK(file_status(dir.file("empty")).size == 0);
    CHECK(file_status(dir.file("sub")).kind == FileKind::Folder);
    CHECK(file_status(dir.file("fifo")).kind == FileKind::Fifo);
    CHECK(file_status("/dev/null").kind == FileKind::CharDevice);

    // Missing: no such name, or a link to nothing (which path_exists still sees).
    const FileStatus none = file_status(dir.file("none"));
    CHECK(none.kind == FileKind::Missing);
    CHECK(none.size == 0);
    CHECK_FALSE(none.exists());
    CHECK_FALSE(file_status(dir.file("dangling")).exists());
    CHECK(path_exists(dir.file("dangling")));

    CHECK(is_regular_file(dir.file("tape.aws")));
    CHECK(is_regular_file(dir.file("link")));
    CHECK_FALSE(is_regular_file(dir.file("sub")));
    CHECK_FALSE(is_regular_file(dir.file("fifo")));
    CHECK_FALSE(is_regular_file(dir.file("none")));
}

TEST_CASE("UniqueFd: an owned descriptor is closed, a borrowed one never; close() reports")
{
    TempDir dir;
    write_file(dir.file("f"), Bytes{1, 2, 3});
    const auto is_open = [](int fd) { return ::fcntl(fd, F_GETFD) != -1; };

    int raw = ::open(dir.file("f").c_str(), O_RDONLY);
    REQUIRE(raw >= 0);
    { UniqueFd owned(raw); }
    CHECK_FALSE(is_open(raw));

    raw = ::open(dir.file("f").c_str(), O_RDONLY);
    REQUIRE(raw >= 0);
    {
        UniqueFd borrowed = UniqueFd::borrowed(raw);
        UniqueFd moved = std::move(borrowed);
        CHECK(moved.get() == raw);
        CHECK_FALSE(borrowed);
        CHECK(moved.close() == 0);
        CHECK_FALSE(moved);
    }
    CHECK(is_open(raw));

    UniqueFd owned(raw);
    CHECK(owned.close() == 0);
    CHECK_FALSE(is_open(raw));
    CHECK(owned.close() == 0);  // nothing left to close
}

TEST_CASE("pread_full / pwrite_full: whole buffers, stopping at the end of the file or an error")
{
    TempDir dir;
    write_file(dir.file("f"), Bytes{1, 2, 3, 4, 5});
    UniqueFd fd = open_existing(dir.file("f"), true);

    Bytes out(4);
    Transfer t = pread_full(fd.get(), out, 1);
    CHECK(t.done == 4);
    CHECK(t.error == 0);
    CHECK(out == Bytes{2, 3, 4, 5});
    t = pread_full(fd.get(), out, 3);  // the file ends first
    CHECK(t.done == 2);
    CHECK(t.error == 0);

    const Bytes more{9, 8, 7};
    t = pwrite_full(fd.get(), more, 4);
    CHECK(t.done == 3);
    CHECK(t.error == 0);
    CHECK(read_file(dir.file("f")) == Bytes{1, 2, 3, 4, 9, 8, 7});

    t = pwrite_full(-1, more, 0);
    CHECK(t.done == 0);
    CHECK(t.error == EBADF);
    CHECK_THROWS_AS(pwrite_all(-1, more, 0, file_place("f")), Error);
    CHECK_THROWS_AS(pread_exact(fd.get(), out, 6, file_place("f")), Error);

    // copy_file_prefix: the first bytes of one file become another's.
    write_file(dir.file("g"), Bytes{});
    UniqueFd to = open_existing(dir.file("g"), true);
    CHECK(copy_file_prefix(fd.get(), to.get(), 5) == 0);
    CHECK(read_file(dir.file("g")) == Bytes{1, 2, 3, 4, 9});
}

TEST_CASE("open_direct_writer / pwrite_direct: aligned pages past the page cache; a refused write writes nothing")
{
    TempDir dir;
    write_file(dir.file("f"), Bytes(3 * kDirectWriteAlign, 0x11));
    UniqueFd direct = open_direct_writer(dir.file("f"));
    CHECK_FALSE(open_direct_writer(dir.file("missing")));
    if (!direct) {
        MESSAGE("the file system of the temporary folder takes no direct writes; only the refusal is checked");
        return;
    }
    CHECK(read_file(dir.file("f")) == Bytes(3 * kDirectWriteAlign, 0x11));  // its pages in the page cache now
    // Aligned memory: a page-sized window of a larger buffer.
    Bytes memory(3 * kDirectWriteAlign, 0x22);
    const size_t shift = (kDirectWriteAlign - reinterpret_cast<uintptr_t>(memory.data()) % kDirectWriteAlign) % kDirectWriteAlign;
    const ByteSpan page(memory.data() + shift, kDirectWriteAlign);
    CHECK(pwrite_direct(direct.get(), page, kDirectWriteAlign, file_place("f")));
    Bytes want(3 * kDirectWriteAlign, 0x11);
    std::fill(want.begin() + kDirectWriteAlign, want.begin() + 2 * kDirectWriteAlign, 0x22);
    CHECK(read_file(dir.file("f")) == want);
    // A write the file system refuses as such (not aligned in the file): false, nothing written.
    CHECK_FALSE(pwrite_direct(direct.get(), page, 1, file_place("f")));
    CHECK(read_file(dir.file("f")) == want);
    // Any other failure is an error naming the file.
    CHECK_THROWS_AS(pwrite_direct(-1, page, 0, file_place("f")), Error);
}

TEST_CASE("describe_change: what differs between two stamps of a file, in words")
{
    FileStamp a;
    a.exists = true;
    a.device = 1;
    a.inode = 7;
    a.size = 1000;
    a.mtime_ns = 5'000'000'000;
    a.ctime_ns = 5'000'000'000;
    CHECK(describe_change(a, a) == "");
    FileStamp b = a;
    b.size = 2048;
    b.mtime_ns += 250'000'000;
    b.ctime_ns += 250'000'000;
    CHECK(describe_change(a, b) ==
          "size 1000 -> 2048 bytes, modification time 0.25 s later, status change time 0.25 s later");
    FileStamp c = a;
    c.inode = 8;
    c.mtime_ns -= 1'000'000'000;
    CHECK(describe_change(a, c) == "replaced by another file, modification time 1 s earlier");
    FileStamp d = a;
    d.ctime_ns += 1;  // a nanosecond is a change
    CHECK(describe_change(a, d) == "status change time 1e-09 s later");
    CHECK(describe_change(a, FileStamp{}) == "it was removed or renamed");
    CHECK(describe_change(FileStamp{}, a) == "it appeared");
    CHECK(describe_change(FileStamp{}, FileStamp{}) == "");
}

TEST_CASE("file_stamp: a write moves the times, a rename over the file changes its identity")
{
    TempDir dir;
    const std::string f = dir.file("vol");
    write_file(f, Bytes(100, 1));
    const FileStamp before = file_stamp(f);
    CHECK(before.exists);
    CHECK(before.size == 100);
    CHECK(describe_change(before, file_stamp(f)) == "");
    struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 678}};
    REQUIRE(::utimensat(AT_FDCWD, f.c_str(), times, 0) == 0);
    const FileStamp touched = file_stamp(f);
    CHECK(touched.mtime_ns == 12345 * 1'000'000'000LL + 678);
    CHECK(describe_change(before, touched).find("modification time") != std::string::npos);
    write_file(dir.file("other"), Bytes(100, 1));
    fs::rename(dir.file("other"), f);
    CHECK(describe_change(touched, file_stamp(f)).find("replaced by another file") == 0);
    CHECK_FALSE(file_stamp(dir.file("missing")).exists);
}

TEST_CASE("clone_file: an instant copy as a hidden temporary, or a plain refusal where there are no reflinks")
{
    TempDir dir;
    const std::string f = dir.file("vol.3390");
    write_file(f, Bytes(8192, 0x5A));
    std::string temp;
    try {
        PendingFile clone = clone_file(f);
        temp = clone.temp_path();
        CHECK(fs::path(temp).filename().string().rfind(".vol.3390.ddr-tmp.", 0) == 0);
        CHECK(read_file(temp) == read_file(f));
    } catch (const Error& e) {
        // This folder's file system cannot clone (ext4, tmpfs): said plainly, naming the file.
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(e.place().file == f);
        CHECK(e.detail().find("the file system it is on cannot make instant copies (reflinks") == 0);
    }
    CHECK(names_in(dir.path()) == std::vector<std::string>{"vol.3390"});  // the clone went with its object
    CHECK_THROWS_AS(clone_file(dir.file("missing")), Error);
}

TEST_CASE("PendingFile at a given name: the name the split-set clones need, and a stale one is recognised")
{
    TempDir dir;
    const long dead = dead_pid();
    const std::string name = dir.file(".vol_2.3390.ddr-tmp." + std::to_string(dead) + ".a1b2c3");
    {
        PendingFile taken(dir.file("vol_2.3390"), name, 0600);
        CHECK(taken.temp_path() == name);
        CHECK_THROWS_AS(PendingFile(dir.file("vol_2.3390"), name, 0600), Error);  // never two at one name
    }
    CHECK_FALSE(fs::exists(name));
    // What a killed run left at such a name is cleared like any temporary of ours.
    write_file(name, Bytes(10, 0));
    const auto removed = remove_stale_temporaries(dir.file("vol_2.3390"));
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].path == name);
}
