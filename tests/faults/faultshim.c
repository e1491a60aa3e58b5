/* faultshim.so: injects I/O faults into a dynamically linked ddr (LD_PRELOAD), for
 * tests/e2e/t-faults.sh.  ddr itself has no fault hooks: the shim stands between it and
 * the C library, so what is tested is the binary's real handling of what the kernel says.
 *
 * DDR_FAULTS holds rules separated by ';', each a list of key=value separated by ',':
 *   op=read|write|short|fsync  which call fails: read/pread/preadv (and mmap of the file is
 *                              refused, so a mapped reader falls back to reads), write/pwrite,
 *                              a write that transfers only half of what was asked (once),
 *                              or fsync/fdatasync
 *   path=TEXT                  the file: its resolved path contains TEXT (a temporary
 *                              ".NAME.ddr-tmp.*" contains NAME)
 *   offset=N                   the first transfer whose byte range reaches past N fails,
 *                              and every one after it (default 0: the first); ignored for fsync
 *   error=EIO|ENOSPC|EDQUOT|EROFS  the errno (default EIO; ignored for short)
 *   count=N                    fail only N times (default: every time)
 *   op=delay,usec=N            no fault: sleep N microseconds before every read/pread and
 *                              write/pwrite of the file (and refuse to mmap it, so its reads
 *                              are seen), to slow a run down honestly so that a signal
 *                              (t-dump-resume.sh) lands while it is at work
 * Each firing is logged to standard error as "faultshim: ..." so a test can see the fault
 * was reached. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim_env.h"

enum op { OP_READ, OP_WRITE, OP_SHORT, OP_FSYNC, OP_DELAY };

struct rule {
    enum op op;
    char path[256];
    long long offset;
    int error;
    long count; /* < 0: unlimited */
    long usec;  /* OP_DELAY: how long to sleep */
};

#define MAX_RULES 8
static struct rule rules[MAX_RULES];
static int nrules = -1;

static int errno_named(const char* name)
{
    if (strcmp(name, "ENOSPC") == 0) return ENOSPC;
    if (strcmp(name, "EDQUOT") == 0) return EDQUOT;
    if (strcmp(name, "EROFS") == 0) return EROFS;
    return EIO;
}

static void parse_rule(char* text)
{
    struct rule r = {OP_READ, "", 0, EIO, -1, 0};
    for (char* save = NULL, *kv = strtok_r(text, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char* eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char* v = eq + 1;
        if (strcmp(kv, "op") == 0)
            r.op = strcmp(v, "write") == 0 ? OP_WRITE : strcmp(v, "short") == 0 ? OP_SHORT
                 : strcmp(v, "fsync") == 0 ? OP_FSYNC : strcmp(v, "delay") == 0 ? OP_DELAY : OP_READ;
        else if (strcmp(kv, "path") == 0)
            snprintf(r.path, sizeof r.path, "%s", v);
        else if (strcmp(kv, "offset") == 0)
            r.offset = atoll(v);
        else if (strcmp(kv, "error") == 0)
            r.error = errno_named(v);
        else if (strcmp(kv, "count") == 0)
            r.count = atol(v);
        else if (strcmp(kv, "usec") == 0)
            r.usec = atol(v);
    }
    if (r.op == OP_SHORT && r.count < 0)
        r.count = 1;
    if (nrules < MAX_RULES)
        rules[nrules++] = r;
}

static void load_rules(void)
{
    if (nrules >= 0)
        return;
    nrules = 0;
    shim_env_items("DDR_FAULTS", ";", parse_rule);
}

static int path_matches(int fd, const char* want)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    return strstr(path, want) != NULL;
}

static void say(const char* what, int fd, long long at)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    path[n > 0 ? n : 0] = '\0';
    char line[4300];
    int len = snprintf(line, sizeof line, "faultshim: %s on %s at %lld\n", what, path, at);
    if (len > 0)
        (void)!write(STDERR_FILENO, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

/* The rule of kind `op` that fires for `*len` bytes at `at` on `fd`, or NULL.  A transfer
 * that starts before a rule's offset and reaches past it is cut short at the offset (as a
 * disk transfers what it can before the bad sector): *len is lowered and NULL returned,
 * so the caller's next transfer, at the offset, is the one that fails. */
static struct rule* firing(enum op op, int fd, long long at, size_t* len)
{
    load_rules();
    for (int i = 0; i < nrules; ++i) {
        struct rule* r = &rules[i];
        if (r->op != op || r->count == 0 || !path_matches(fd, r->path))
            continue;
        if (op == OP_FSYNC || op == OP_SHORT) {
            if (r->count > 0)
                --r->count;
            return r;
        }
        if (at + (long long)*len <= r->offset)
            continue;
        if (at < r->offset) {
            *len = (size_t)(r->offset - at);
            return NULL;
        }
        if (r->count > 0)
            --r->count;
        return r;
    }
    return NULL;
}

/* op=delay: sleeps before a transfer on `fd` as long as its rules say. */
static void delay_for(int fd)
{
    load_rules();
    for (int i = 0; i < nrules; ++i)
        if (rules[i].op == OP_DELAY && rules[i].usec > 0 && path_matches(fd, rules[i].path))
            usleep((useconds_t)rules[i].usec);
}

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

/* Bytes moved through each descriptor that cannot seek (a pipe), for its "offset". */
#define MAX_FDS 1024
static long long streamed[MAX_FDS];

static long long position_of(int fd)
{
    REAL(lseek);
    long long at = (long long)real_lseek(fd, 0, SEEK_CUR);
    if (at < 0 && fd >= 0 && fd < MAX_FDS)
        return streamed[fd];
    return at;
}

static ssize_t moved(int fd, ssize_t n)
{
    if (n > 0 && fd >= 0 && fd < MAX_FDS)
        streamed[fd] += n;  /* counted for every descriptor; used only for those that cannot seek */
    return n;
}

static ssize_t fail_with(struct rule* r, const char* what, int fd, long long at)
{
    say(what, fd, at);
    errno = r->error;
    return -1;
}

ssize_t read(int fd, void* buf, size_t n)
{
    REAL(read);
    if (fd != STDERR_FILENO) {
        delay_for(fd);
        long long at = position_of(fd);
        struct rule* r = firing(OP_READ, fd, at, &n);
        if (r)
            return fail_with(r, "read error", fd, at);
    }
    return moved(fd, real_read(fd, buf, n));
}

ssize_t pread(int fd, void* buf, size_t n, off_t at)
{
    REAL(pread);
    delay_for(fd);
    struct rule* r = firing(OP_READ, fd, (long long)at, &n);
    if (r)
        return fail_with(r, "read error", fd, (long long)at);
    return real_pread(fd, buf, n, at);
}
ssize_t pread64(int fd, void* buf, size_t n, off_t at) { return pread(fd, buf, n, at); }

/* A vector read fails, or stops short, as one pread of its total length would (one of
 * more than 16 parts, which ddr never makes, is not cut short). */
ssize_t preadv(int fd, const struct iovec* iov, int count, off_t at)
{
    REAL(preadv);
    delay_for(fd);
    size_t n = 0;
    for (int i = 0; i < count; ++i)
        n += iov[i].iov_len;
    const size_t asked = n;
    struct rule* r = firing(OP_READ, fd, (long long)at, &n);
    if (r)
        return fail_with(r, "read error", fd, (long long)at);
    if (n == asked || count > 16)
        return real_preadv(fd, iov, count, at);
    struct iovec cut[16];
    int used = 0;
    for (size_t left = n; used < count && left > 0; ++used) {
        cut[used] = iov[used];
        if (cut[used].iov_len > left)
            cut[used].iov_len = left;
        left -= cut[used].iov_len;
    }
    return real_preadv(fd, cut, used, at);
}
ssize_t preadv64(int fd, const struct iovec* iov, int count, off_t at) { return preadv(fd, iov, count, at); }

static ssize_t write_fault(int fd, size_t* n, long long at)
{
    struct rule* r = firing(OP_WRITE, fd, at, n);
    if (r)
        return fail_with(r, "write error", fd, at);
    if (*n > 1 && (r = firing(OP_SHORT, fd, at, n)) != NULL) {
        say("short write", fd, at);
        *n /= 2;
    }
    return 0;
}

ssize_t write(int fd, const void* buf, size_t n)
{
    REAL(write);
    if (fd != STDERR_FILENO)
        delay_for(fd);
    if (fd != STDERR_FILENO && write_fault(fd, &n, position_of(fd)) < 0)
        return -1;
    return moved(fd, real_write(fd, buf, n));
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t at)
{
    REAL(pwrite);
    delay_for(fd);
    if (write_fault(fd, &n, (long long)at) < 0)
        return -1;
    return real_pwrite(fd, buf, n, at);
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off_t at) { return pwrite(fd, buf, n, at); }

int fsync(int fd)
{
    REAL(fsync);
    size_t none = 0;
    struct rule* r = firing(OP_FSYNC, fd, 0, &none);
    if (r)
        return (int)fail_with(r, "fsync error", fd, 0);
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    size_t none = 0;
    struct rule* r = firing(OP_FSYNC, fd, 0, &none);
    if (r)
        return (int)fail_with(r, "fsync error", fd, 0);
    return real_fdatasync(fd);
}

/* A file with a read fault is not mapped: the reader falls back to read(), where the
 * fault can be given (a mapped page that cannot be read would be SIGBUS instead). */
void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t at)
{
    REAL(mmap);
    load_rules();
    for (int i = 0; fd >= 0 && i < nrules; ++i)
        if ((rules[i].op == OP_READ || rules[i].op == OP_DELAY) && path_matches(fd, rules[i].path)) {
            errno = ENODEV;
            return MAP_FAILED;
        }
    return real_mmap(addr, len, prot, flags, fd, at);
}
void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off_t at) { return mmap(addr, len, prot, flags, fd, at); }

/* copy_file_range would move bytes without write(): refused for a file with a write
 * rule, so the caller's fallback (read and write) meets the fault. */
ssize_t copy_file_range(int in, off_t* in_at, int out, off_t* out_at, size_t n, unsigned flags)
{
    REAL(copy_file_range);
    load_rules();
    for (int i = 0; i < nrules; ++i)
        if ((rules[i].op == OP_WRITE || rules[i].op == OP_SHORT) && path_matches(out, rules[i].path)) {
            errno = EXDEV;
            return -1;
        }
    return real_copy_file_range(in, in_at, out, out_at, n, flags);
}
