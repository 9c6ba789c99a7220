/* pcapwrite.c - pcap output, written atomically. */
#include "pcapwrite.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* For the signal handler: the temporary files in existence (-w's, -o's and
 * -w's copy of a pipe at most), each slot in use or not. */
enum { SIGNAL_SLOTS = 3 };
static char tmp_for_signal[SIGNAL_SLOTS][4096];
static volatile sig_atomic_t tmp_active[SIGNAL_SLOTS];

int cleanup_track(const char *path)
{
    for (int s = 0; s < SIGNAL_SLOTS; s++) {
        if (!tmp_active[s] && strlen(path) < sizeof tmp_for_signal[s]) {
            memcpy(tmp_for_signal[s], path, strlen(path) + 1);
            atomic_signal_fence(memory_order_seq_cst);  /* the name before the flag */
            tmp_active[s] = 1;
            return s + 1;
        }
    }
    return 0;
}

void cleanup_untrack(int slot)
{
    if (slot > 0 && slot <= SIGNAL_SLOTS)
        tmp_active[slot - 1] = 0;
}

static void release_slot(struct atomic_file *f)
{
    cleanup_untrack(f->slot);
    f->slot = 0;
}

/* Signals blocked while a temporary file and its cleanup slot come and go
 * together. */
static void block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
}

/* A target that exists and is not a regular file - a terminal, a FIFO,
 * /dev/null - is written directly: renaming a temporary file over it would
 * replace the device node or the link, and there is no half-written file to
 * avoid.  So is the file standard output or standard error already is
 * (-o /dev/stdout, whatever stdout was redirected to): through a copy of
 * that descriptor, at its offset and in its append mode, as a shell would. */
static bool open_direct(struct atomic_file *f, const char *path, int same_fd, char *err, size_t errlen)
{
    f->path = strdup(path);
    if (f->path && same_fd >= 0) {
        int fd = dup(same_fd);
        f->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (fd >= 0 && !f->fp)
            close(fd);
    } else {
        f->fp = f->path ? fopen(path, "wb") : NULL;
    }
    if (!f->fp) {
        snprintf(err, errlen, "%s: cannot write: %s", path, f->path ? strerror(errno) : "out of memory");
        free(f->path);
        f->path = NULL;
        return false;
    }
    f->direct = true;
    return true;
}

bool atomic_open(struct atomic_file *f, const char *path, unsigned mode, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (!*path) {
        snprintf(err, errlen, "an empty file name");
        return false;
    }
    struct stat st, old;
    bool exists = stat(path, &old) == 0;
    if (exists) {
        if (S_ISDIR(old.st_mode)) {
            snprintf(err, errlen, "%s: is a directory", path);
            return false;
        }
        for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
            if (fstat(fd, &st) == 0 && st.st_dev == old.st_dev && st.st_ino == old.st_ino)
                return open_direct(f, path, fd, err, errlen);
        if (!S_ISREG(old.st_mode))
            return open_direct(f, path, -1, err, errlen);
    }
    /* A symbolic link: replace the file it names and keep the link, as a
     * shell's > would write through it - also when that file does not exist
     * yet (the link is followed one step, relative to its directory). */
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        real = realpath(path, NULL);
        if (!real && errno == ELOOP) {
            snprintf(err, errlen, "%s: %s", path, strerror(ELOOP));
            return false;
        }
        /* A dangling link (or a chain of them): follow it to the name
         * that does not exist yet, each step relative to its link. */
        for (int hop = 0; !real || (lstat(real, &st) == 0 && S_ISLNK(st.st_mode)); hop++) {
            const char *from = real ? real : path;
            char target[4096];
            ssize_t tl = hop < 40 ? readlink(from, target, sizeof target - 1) : -1;
            if (tl <= 0) {
                free(real);
                snprintf(err, errlen, "%s: %s", path, strerror(hop < 40 ? errno : ELOOP));
                return false;
            }
            target[tl] = 0;
            const char *slash = strrchr(from, '/');
            size_t dl = target[0] == '/' || !slash ? 0 : (size_t)(slash - from) + 1;
            char *next = malloc(dl + (size_t)tl + 1);
            if (next) {
                memcpy(next, from, dl);
                memcpy(next + dl, target, (size_t)tl + 1);
            }
            free(real);
            real = next;
            if (!real) {
                snprintf(err, errlen, "%s: out of memory", path);
                return false;
            }
        }
    }
    size_t n = strlen(real ? real : path) + 32;
    f->path = strdup(real ? real : path);
    free(real);
    f->tmp = malloc(n);
    if (!f->path || !f->tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        atomic_abort(f);
        return false;
    }
    /* same directory as the target, so rename() is atomic */
    snprintf(f->tmp, n, "%s.tmp-XXXXXX", f->path);
    sigset_t oldmask;
    block_signals(&oldmask);
    int fd = mkstemp(f->tmp);
    if (fd >= 0)
        f->slot = cleanup_track(f->tmp);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        atomic_abort(f);
        return false;
    }
    /* mkstemp creates the file private.  A file that replaces another keeps
     * that one's permissions (and owner, where we may set it), as a shell's
     * > would; a new one gets the mode asked for, less the umask, as
     * open(2) would. */
    mode_t mask = umask(0);
    umask(mask);
    mode_t want = (mode_t)mode & ~mask;
    if (exists && S_ISREG(old.st_mode)) {
        want = old.st_mode & 07777;
        if (fchown(fd, old.st_uid, old.st_gid) != 0) {
            want &= 0777;   /* not ours to give away: no set-id bits */
            /* not the old group either: its permissions must not go to ours */
            if (fchown(fd, (uid_t)-1, old.st_gid) != 0)
                want &= ~(mode_t)070;
        }
    }
    if (fchmod(fd, want) != 0) {
        snprintf(err, errlen, "%s: cannot set its mode: %s", path, strerror(errno));
        close(fd);
        unlink(f->tmp);
        atomic_abort(f);
        return false;
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        atomic_abort(f);
        return false;
    }
    return true;
}

bool atomic_commit(struct atomic_file *f, char *err, size_t errlen)
{
    FILE *fp = f->fp;
    bool ok = fflush(fp) == 0 && !ferror(fp) && (f->direct || fsync(fileno(fp)) == 0);
    int saved = errno;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    f->fp = NULL;
    sigset_t oldmask;
    block_signals(&oldmask);
    if (ok && !f->direct && rename(f->tmp, f->path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok && f->tmp)
        unlink(f->tmp);
    release_slot(f);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    if (!ok)
        snprintf(err, errlen, "%s: cannot write: %s", f->path, strerror(saved));
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    return ok;
}

void atomic_abort(struct atomic_file *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp)
        unlink(f->tmp);
    release_slot(f);
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
}

void pcapwrite_cleanup_on_signal(void)
{
    for (int s = 0; s < SIGNAL_SLOTS; s++)
        if (tmp_active[s])
            unlink(tmp_for_signal[s]);
}

struct pcapwrite {
    struct atomic_file f;
    uint32_t snaplen;
    uint64_t count;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);       /* pcap is written in host byte order */
}

struct pcapwrite *pcapwrite_open(const char *path, int linktype, uint32_t snaplen, char *err, size_t errlen)
{
    struct pcapwrite *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    /* 0600: captures hold private data (addresses, payload) */
    if (!atomic_open(&w->f, path, 0600, err, errlen)) {
        free(w);
        return NULL;
    }
    w->snaplen = snaplen ? snaplen : 262144;
    uint8_t h[24];
    uint16_t major = 2, minor = 4;
    put32(h, 0xa1b23c4d);   /* nanosecond timestamps */
    memcpy(h + 4, &major, 2);
    memcpy(h + 6, &minor, 2);
    put32(h + 8, 0);
    put32(h + 12, 0);
    put32(h + 16, w->snaplen);
    put32(h + 20, (uint32_t)linktype);
    if (fwrite(h, 1, sizeof h, w->f.fp) != sizeof h) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        pcapwrite_abort(w);
        return NULL;
    }
    return w;
}

bool pcapwrite_packet(struct pcapwrite *w, tstamp_t ts, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    uint8_t h[16];
    if (caplen > w->snaplen)
        caplen = w->snaplen;
    put32(h, (uint32_t)(ts / TS_PER_SEC));
    put32(h + 4, (uint32_t)(ts % TS_PER_SEC));
    put32(h + 8, caplen);
    put32(h + 12, wirelen < caplen ? caplen : wirelen);
    if (fwrite(h, 1, sizeof h, w->f.fp) != sizeof h || fwrite(data, 1, caplen, w->f.fp) != caplen)
        return false;
    w->count++;
    return true;
}

uint64_t pcapwrite_count(const struct pcapwrite *w) { return w->count; }

bool pcapwrite_commit(struct pcapwrite *w, char *err, size_t errlen)
{
    bool ok = atomic_commit(&w->f, err, errlen);
    free(w);
    return ok;
}

void pcapwrite_abort(struct pcapwrite *w)
{
    if (!w)
        return;
    atomic_abort(&w->f);
    free(w);
}
