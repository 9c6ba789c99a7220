/* filemap.c - a read-only window sliding along a regular file. */
#include "filemap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes one window maps (and at least the record being read).  The mapped
 * pages count in the resident set while the window holds them, like the
 * 1 MiB buffer read() fills; a larger window saves a few unmappings and
 * costs memory that `bytes per connection` sees.  Measured in the notes of
 * docs/performance.md ("The capture mapped"). */
#define WINDOW (1u << 20)

/* The windows the SIGBUS handler knows: one slot per open map, written by
 * the thread reading through that map.  The handler, in whichever thread
 * faulted, looks at every slot, and takes a slot's bounds only if its
 * sequence count was even and unchanged around reading them (a seqlock: a
 * fault in another thread while the window moves must not see the old
 * start with the new end). */
#define SLOTS 8
static struct slot {
    atomic_int in_use;
    atomic_uint seq;                /* odd while lo and hi are being written */
    atomic_uintptr_t lo, hi;        /* the window's pages, [lo, hi); 0 0: none */
    volatile sig_atomic_t failed;   /* pages vanished and read as zeros */
} slots[SLOTS];

static uintptr_t page_size;
static struct sigaction previous_sigbus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

struct filemap {
    int fd;
    struct slot *slot;
    const uint8_t *base;    /* file bytes [off, off + len), mapped in maplen bytes */
    uint64_t off;
    size_t len, maplen;
    uint64_t size;          /* the file's size when the window was mapped */
};

bool filemap_fault(const siginfo_t *si)
{
    if (si->si_code <= 0)
        return false;       /* sent by kill() or sigqueue(): si_addr is no address */
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        unsigned seq = atomic_load(&slots[i].seq);
        uintptr_t lo = atomic_load(&slots[i].lo), hi = atomic_load(&slots[i].hi);
        if ((seq & 1u) || atomic_load(&slots[i].seq) != seq || a < lo || a >= hi)
            continue;
        /* Zero pages where the file's vanished: the access that faulted
         * reads zeros when the handler returns.  (mmap() is a plain system
         * call; nothing here takes a lock.) */
        uintptr_t from = a & ~(page_size - 1);
        if (mmap((void *)from, hi - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
            MAP_FAILED)
            return false;
        slots[i].failed = 1;
        return true;
    }
    return false;
}

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    int saved_errno = errno;
    bool ours = filemap_fault(si);
    errno = saved_errno;
    if (ours)
        return;
    /* Not in a window: what was there before takes it.  A handler is
     * called; an ignored signal stays ignored; the default action is put
     * back, and the access faults again into it (a SIGBUS sent by kill()
     * is sent again). */
    if (previous_sigbus.sa_flags & SA_SIGINFO) {
        if (previous_sigbus.sa_sigaction) {
            previous_sigbus.sa_sigaction(sig, si, ctx);
            return;
        }
    } else if (previous_sigbus.sa_handler == SIG_IGN) {
        return;
    } else if (previous_sigbus.sa_handler != SIG_DFL) {
        previous_sigbus.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    if (si->si_code <= 0)
        raise(sig);
}

static void install(void)
{
    page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous_sigbus);
}

struct filemap *filemap_open(int fd)
{
    struct stat sb;
    /* An empty regular file may still have contents to read() (procfs):
     * only a file with a size is mapped. */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
        return NULL;
    /* The map reads from offset 0: a descriptor already read into (standard
     * input after another program) is left to read(). */
    if (lseek(fd, 0, SEEK_CUR) != 0)
        return NULL;
    struct slot *slot = NULL;
    for (int i = 0; i < SLOTS && !slot; i++)
        if (atomic_exchange(&slots[i].in_use, 1) == 0)
            slot = &slots[i];
    if (!slot)
        return NULL;
    struct filemap *m = calloc(1, sizeof *m);
    if (!m) {
        atomic_store(&slot->in_use, 0);
        return NULL;
    }
    pthread_once(&install_once, install);
    slot->failed = 0;
    m->fd = fd;
    m->slot = slot;
    return m;
}

static void set_bounds(struct slot *slot, uintptr_t lo, uintptr_t hi)
{
    atomic_fetch_add(&slot->seq, 1u);
    atomic_store(&slot->lo, lo);
    atomic_store(&slot->hi, hi);
    atomic_fetch_add(&slot->seq, 1u);
}

static void unmap(struct filemap *m)
{
    if (!m->base)
        return;
    set_bounds(m->slot, 0, 0);
    munmap((void *)m->base, m->maplen);
    m->base = NULL;
    m->len = m->maplen = 0;
}

const uint8_t *filemap_window(struct filemap *m, uint64_t pos, size_t n, size_t *avail)
{
    if (m->base && pos >= m->off && pos - m->off + n <= m->len) {
        *avail = (size_t)(m->off + m->len - pos);
        return m->base + (pos - m->off);
    }
    /* The file may have grown since (a capture still being written) or
     * shrunk: map what it holds now. */
    struct stat sb;
    if (fstat(m->fd, &sb) != 0)
        return NULL;
    uint64_t size = sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
    unmap(m);
    m->size = size;
    if (pos >= size) {
        *avail = 0;
        return (const uint8_t *)"";
    }
    uint64_t off = pos & ~(uint64_t)(page_size - 1);
    uint64_t want = pos - off + n;
    if (want < WINDOW)
        want = WINDOW;
    if (want > size - off)
        want = size - off;
    if (want > SIZE_MAX - page_size) {
        errno = EFBIG;
        return NULL;
    }
    size_t len = (size_t)want, maplen = (len + page_size - 1) & ~(page_size - 1);
    void *p = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m->fd, (off_t)off);
    if (p == MAP_FAILED)
        return NULL;
    m->base = p;
    m->off = off;
    m->len = len;
    m->maplen = maplen;
    set_bounds(m->slot, (uintptr_t)p, (uintptr_t)p + maplen);
    *avail = (size_t)(off + len - pos);
    return m->base + (pos - off);
}

const volatile sig_atomic_t *filemap_failed_flag(const struct filemap *m)
{
    return &m->slot->failed;
}

bool filemap_shrunk(const struct filemap *m)
{
    struct stat sb;
    return fstat(m->fd, &sb) == 0 && (sb.st_size < 0 || (uint64_t)sb.st_size < m->size);
}

void filemap_close(struct filemap *m)
{
    if (!m)
        return;
    unmap(m);
    atomic_store(&m->slot->in_use, 0);
    free(m);
}
