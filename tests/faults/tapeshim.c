/* tapeshim.so: simulated Linux SCSI tape drives for a dynamically linked ddr (LD_PRELOAD),
 * for tests/e2e/t-drives.sh.  ddr has no test hooks for drives: it sees character devices
 * that answer MTIOCGET, and its real FdTapeDrive code (open, read, write, ioctl) runs
 * against this shim as it would against the st driver.
 *
 * DDR_SIMDRIVES holds drives separated by ';', each "PATH[,key=value...]":
 *   PATH     the device name ddr is given (no such file needs to exist); a name whose last
 *            component starts with "st" rewinds on close, like /dev/st*; any other (nst*)
 *            stays where it is
 *   ew=N     the early warning: a write ending past N data bytes completes, and from then
 *            on every other write returns -1/ENOSPC (Linux Documentation/scsi/st.rst,
 *            "EOM Behaviour When Writing")
 *   end=N    the physical end: a write ending past N data bytes returns -1/ENOSPC
 *   werr=N   writing data block N (1-based, on the tape) fails with EIO
 *   rerr=N   reading data block N fails with EIO
 *   nomedia=1  no cartridge is loaded: open() fails with ENOMEDIUM, as st's does
 * The cartridge is the file PATH.tape (records: a 4-byte little-endian length, 0xFFFFFFFF
 * for a filemark, then the data) and its position PATH.pos, so it outlives the process
 * (an --append, a restore).  Variable-block mode only: a read shorter than the block
 * fails with ENOMEM; a read at a filemark returns 0; past the recorded data, 0 with
 * GMT_EOD.  MTWEOF, MTBSR, MTFSF, MTREW, MTOFFL, MTEOM and MTSETBLK 0 are implemented;
 * MTIOCGET gives GMT_BOT/EOT/EOD and mt_fileno, mt_blkno.  Every MTOFFL is counted in
 * PATH.unloads, for the tests of IBM's UNLOAD, and every data block read in PATH.reads
 * (added at close), for the tests that a tape is read once. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mtio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim_env.h"

#define MAX_DRIVES 8
#define MAX_RECORDS 200000

struct drive {
    char path[1024];
    long long ew, end, werr, rerr, nomedia;
    int fd;                 /* open descriptor, -1 if closed */
    uint32_t* len;          /* record lengths, UINT32_MAX: filemark */
    unsigned char** data;
    size_t count, pos;
    int refuse_next, blank;
    unsigned long reads;    /* data blocks read since open */
    size_t counted_to;      /* mt_fileno/mt_blkno below are those of position counted_to */
    long counted_file, counted_block;
};
static struct drive drives[MAX_DRIVES];
static int ndrives = -1;

/* One drive of DDR_SIMDRIVES: "PATH,key=value,...". */
static void add_drive(char* text)
{
    if (ndrives >= MAX_DRIVES)
        return;
    struct drive* t = &drives[ndrives++];
    memset(t, 0, sizeof *t);
    t->ew = t->end = -1;
    t->fd = -1;
    char* save = NULL;
    snprintf(t->path, sizeof t->path, "%s", strtok_r(text, ",", &save));
    for (char* kv = strtok_r(NULL, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        long long v = atoll(strchr(kv, '=') ? strchr(kv, '=') + 1 : "0");
        if (!strncmp(kv, "ew=", 3)) t->ew = v;
        if (!strncmp(kv, "end=", 4)) t->end = v;
        if (!strncmp(kv, "werr=", 5)) t->werr = v;
        if (!strncmp(kv, "rerr=", 5)) t->rerr = v;
        if (!strncmp(kv, "nomedia=", 8)) t->nomedia = v;
    }
}

static void load(void)
{
    if (ndrives >= 0)
        return;
    ndrives = 0;
    shim_env_items("DDR_SIMDRIVES", ";", add_drive);
}

static struct drive* by_path(const char* path)
{
    load();
    for (int i = 0; path && i < ndrives; ++i)
        if (!strcmp(drives[i].path, path))
            return &drives[i];
    return NULL;
}

static struct drive* by_fd(int fd)
{
    load();
    for (int i = 0; fd >= 0 && i < ndrives; ++i)
        if (drives[i].fd == fd)
            return &drives[i];
    return NULL;
}

static void cartridge_load(struct drive* t)
{
    char name[1100];
    t->len = calloc(MAX_RECORDS, sizeof *t->len);
    t->data = calloc(MAX_RECORDS, sizeof *t->data);
    t->count = t->pos = 0;
    t->counted_to = 0;
    t->counted_file = t->counted_block = 0;
    snprintf(name, sizeof name, "%s.tape", t->path);
    FILE* f = fopen(name, "rb");
    uint32_t n;
    while (f && fread(&n, 4, 1, f) == 1 && t->count < MAX_RECORDS) {
        t->len[t->count] = n;
        if (n != UINT32_MAX) {
            t->data[t->count] = malloc(n ? n : 1);
            if (fread(t->data[t->count], 1, n, f) != n)
                break;
        }
        ++t->count;
    }
    if (f)
        fclose(f);
    snprintf(name, sizeof name, "%s.pos", t->path);
    f = fopen(name, "r");
    unsigned long p = 0;
    if (f && fscanf(f, "%lu", &p) == 1 && p <= t->count)
        t->pos = p;
    if (f)
        fclose(f);
}

static void cartridge_save(struct drive* t)
{
    char name[1100];
    snprintf(name, sizeof name, "%s.tape", t->path);
    FILE* f = fopen(name, "wb");
    for (size_t i = 0; f && i < t->count; ++i) {
        fwrite(&t->len[i], 4, 1, f);
        if (t->len[i] != UINT32_MAX)
            fwrite(t->data[i], 1, t->len[i], f);
    }
    if (f)
        fclose(f);
    const char* base = strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path;
    snprintf(name, sizeof name, "%s.pos", t->path);
    f = fopen(name, "w");
    if (f) {
        fprintf(f, "%lu\n", strncmp(base, "st", 2) == 0 ? 0ul : (unsigned long)t->pos); /* st*: rewind on close */
        fclose(f);
    }
    for (size_t i = 0; i < t->count; ++i)
        free(t->data[i]);
    free(t->data);
    free(t->len);
}

static long long bytes_before(const struct drive* t, size_t pos)
{
    long long n = 0;
    for (size_t i = 0; i < pos; ++i)
        n += t->len[i] == UINT32_MAX ? 0 : t->len[i];
    return n;
}

static long long blocks_before(const struct drive* t, size_t pos)
{
    long long n = 0;
    for (size_t i = 0; i < pos; ++i)
        n += t->len[i] != UINT32_MAX;
    return n;
}

static void put(struct drive* t, const void* buf, uint32_t n)
{
    for (size_t i = t->pos; i < t->count; ++i)  /* writing ends the recorded data here */
        free(t->data[i]);
    t->count = t->pos;
    t->len[t->pos] = n;
    t->data[t->pos] = NULL;
    if (n != UINT32_MAX) {
        t->data[t->pos] = malloc(n ? n : 1);
        memcpy(t->data[t->pos], buf, n);
    }
    t->count = ++t->pos;
}

static int fake_stat(struct drive* t, struct stat* st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0660;
    st->st_dev = 0x5a5a;
    st->st_ino = (ino_t)(1000 + (t - drives));
    st->st_rdev = makedev(9, 128 + (t - drives));
    return 0;
}

/* stat or lstat (`which`): a simulated drive's, else the C library's. */
static int stat_named(const char* which, const char* path, struct stat* st)
{
    struct drive* t = by_path(path);
    if (t)
        return fake_stat(t, st);
    int (*real)(const char*, struct stat*) = (int (*)(const char*, struct stat*))dlsym(RTLD_NEXT, which);
    return real(path, st);
}
int stat(const char* path, struct stat* st) { return stat_named("stat", path, st); }
int stat64(const char* path, struct stat64* st) { return stat_named("stat", path, (struct stat*)st); }
int lstat(const char* path, struct stat* st) { return stat_named("lstat", path, st); }
int lstat64(const char* path, struct stat64* st) { return stat_named("lstat", path, (struct stat*)st); }

int open(const char* path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (mode_t)va_arg(ap, int);
    va_end(ap);
    struct drive* t = by_path(path);
    if (t) {
        if (t->fd >= 0) {
            errno = EBUSY;
            return -1;
        }
        if (t->nomedia) {
            errno = ENOMEDIUM;
            return -1;
        }
        static int (*real_open)(const char*, int, ...);
        if (!real_open)
            real_open = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open");
        t->fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
        cartridge_load(t);
        return t->fd;
    }
    static int (*real)(const char*, int, ...);
    if (!real)
        real = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open");
    return real(path, flags, mode);
}
int open64(const char* path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (mode_t)va_arg(ap, int);
    va_end(ap);
    return open(path, flags, mode);
}

/* Adds `more` to the count kept in PATH.WHAT. */
static void add_to_count(const struct drive* t, const char* what, unsigned long more)
{
    char name[1100];
    unsigned long n = 0;
    snprintf(name, sizeof name, "%s.%s", t->path, what);
    FILE* f = fopen(name, "r");
    if (f) {
        if (fscanf(f, "%lu", &n) != 1)
            n = 0;
        fclose(f);
    }
    f = fopen(name, "w");
    if (f) {
        fprintf(f, "%lu\n", n + more);
        fclose(f);
    }
}

int close(int fd)
{
    struct drive* t = by_fd(fd);
    if (t) {
        cartridge_save(t);
        if (t->reads)
            add_to_count(t, "reads", t->reads);
        t->reads = 0;
        t->fd = -1;
    }
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "close");
    return real(fd);
}

ssize_t read(int fd, void* buf, size_t n)
{
    struct drive* t = by_fd(fd);
    if (!t) {
        static ssize_t (*real)(int, void*, size_t);
        if (!real)
            real = (ssize_t (*)(int, void*, size_t))dlsym(RTLD_NEXT, "read");
        return real(fd, buf, n);
    }
    t->blank = 0;
    if (t->pos >= t->count) {
        t->blank = 1;
        return 0;
    }
    if (t->len[t->pos] == UINT32_MAX) {
        ++t->pos;
        return 0;
    }
    if (t->rerr && blocks_before(t, t->pos) + 1 == t->rerr) {
        errno = EIO;
        return -1;
    }
    uint32_t len = t->len[t->pos++];
    if (n < len) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(buf, t->data[t->pos - 1], len);
    ++t->reads;
    return (ssize_t)len;
}

ssize_t write(int fd, const void* buf, size_t n)
{
    struct drive* t = by_fd(fd);
    if (!t) {
        static ssize_t (*real)(int, const void*, size_t);
        if (!real)
            real = (ssize_t (*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
        return real(fd, buf, n);
    }
    t->blank = 0;
    const long long end = bytes_before(t, t->pos) + (long long)n;
    if ((t->werr && blocks_before(t, t->pos) + 1 == t->werr) || t->pos + 1 >= MAX_RECORDS) {
        errno = EIO;
        return -1;
    }
    if ((t->end >= 0 && end > t->end) || t->refuse_next) {
        t->refuse_next = 0;
        errno = ENOSPC;
        return -1;
    }
    put(t, buf, (uint32_t)n);
    t->refuse_next = t->ew >= 0 && end > t->ew;
    return (ssize_t)n;
}

static int operation(struct drive* t, const struct mtop* op)
{
    t->blank = 0;
    t->refuse_next = 0;
    switch (op->mt_op) {
    case MTSETBLK:
        if (op->mt_count != 0) { errno = EINVAL; return -1; }
        return 0;
    case MTWEOF:
        for (int i = 0; i < op->mt_count; ++i)
            put(t, NULL, UINT32_MAX);
        return 0;
    case MTBSR:
        for (int i = 0; i < op->mt_count; ++i) {
            if (t->pos == 0 || t->len[t->pos - 1] == UINT32_MAX) { errno = EIO; return -1; }
            --t->pos;
        }
        return 0;
    case MTFSF:
        for (int seen = 0; seen < op->mt_count; ++t->pos) {
            if (t->pos >= t->count) { t->blank = 1; errno = EIO; return -1; }
            if (t->len[t->pos] == UINT32_MAX) ++seen;
        }
        return 0;
    case MTOFFL:
        add_to_count(t, "unloads", 1);
        t->pos = 0;
        return 0;
    case MTREW:
        t->pos = 0;
        return 0;
    case MTEOM:
        t->pos = t->count;
        t->blank = 1;
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    struct drive* t = by_fd(fd);
    if (!t) {
        static int (*real)(int, unsigned long, ...);
        if (!real)
            real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
        return real(fd, request, arg);
    }
    if (request == MTIOCTOP)
        return operation(t, (const struct mtop*)arg);
    if (request == MTIOCGET) {
        struct mtget* g = (struct mtget*)arg;
        memset(g, 0, sizeof *g);
        g->mt_type = MT_ISSCSI2;
        g->mt_gstat = GMT_ONLINE(~0L);
        if (t->pos == 0) g->mt_gstat |= GMT_BOT(~0L);
        if (t->ew >= 0 && bytes_before(t, t->pos) > t->ew) g->mt_gstat |= GMT_EOT(~0L);
        if (t->blank) g->mt_gstat |= GMT_EOD(~0L);
        /* Counted on from the last answer (the writer asks after every block), from the
         * start if the tape moved back: the records before a position never change. */
        if (t->counted_to > t->pos) {
            t->counted_to = 0;
            t->counted_file = t->counted_block = 0;
        }
        for (; t->counted_to < t->pos && t->counted_to < t->count; ++t->counted_to) {
            if (t->len[t->counted_to] == UINT32_MAX) { ++t->counted_file; t->counted_block = 0; }
            else ++t->counted_block;
        }
        g->mt_fileno = t->counted_file;
        g->mt_blkno = t->counted_block;
        return 0;
    }
    errno = ENOTTY;
    return -1;
}
