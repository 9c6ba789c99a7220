/* pcapfile.c - pcap and pcapng reader.
 *
 * Formats: pcap (microsecond and nanosecond, either byte order, and the
 * "modified" Kuznetzov variant), pcapng (section header, interface
 * description, enhanced/simple/obsolete packet blocks; other blocks are
 * skipped; each section may change byte order).  References: the pcap and
 * pcapng IETF drafts (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
 *
 * A regular file is read through a window mapped from it (filemap.h), any
 * other input (a pipe, standard input from a terminal) through a buffer
 * that read() fills.  A record is handed out as a pointer into the window
 * or the buffer, valid until the next call. */
#include "pcapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "filemap.h"
#include "progress.h"
#include "stopsig.h"

#define BUF_SIZE (1u << 20)
/* Pages vanish from a mapped file whole, and are at least this large. */
#define SMALLEST_PAGE 4096u
/* Each read() asks for at most this much: the bytes it copies are decoded
 * straight after, while they are still in the processor's cache, and the
 * kernel's copy into a small, recently used buffer is itself cheaper.
 * Measured on a 1.29 GB capture in the page cache (read() and a touch of
 * every 64th byte): 0.13-0.16 s in 64 KiB reads against 0.21-0.26 s in
 * 1 MiB ones.  BUF_SIZE stays large enough for the largest record. */
#define READ_CHUNK (64u << 10)
/* pcapng blocks carry options besides the packet; anything beyond this is
 * not a block a capture tool wrote. */
#define MAX_BLOCK (PCAPFILE_MAX_RECORD + 65536u)
#define MAX_INTERFACES 65536u

enum {
    MAGIC_USEC = 0xa1b2c3d4,
    MAGIC_NSEC = 0xa1b23c4d,
    MAGIC_MODIFIED = 0xa1b2cd34,    /* Kuznetzov's patched libpcap */
    PCAPNG_SHB = 0x0a0d0d0a,
    PCAPNG_BOM = 0x1a2b3c4d,
    PCAPNG_IDB = 1,
    PCAPNG_PB = 2,                  /* obsolete packet block */
    PCAPNG_SPB = 3,
    PCAPNG_EPB = 6,
};

enum kind { KIND_PCAP, KIND_PCAPNG };

struct iface {
    int linktype;
    uint32_t snaplen;
    bool res_pow2;          /* if_tsresol: power of 2 (else of 10) */
    uint8_t res_exp;        /* units per second = base ^ res_exp */
    int64_t offset_sec;     /* if_tsoffset */
};

struct pcapfile {
    int fd;
    bool pollable;          /* a pipe, FIFO or terminal: wait in poll() */
    bool close_fd;
    struct filemap *map;    /* a regular file: read through a mapped window */
    /* Mapped from the start: nonzero once pages of a window vanished
     * (filemap's flag; this file's own copy once read() took over). */
    const volatile sig_atomic_t *vanished;
    volatile sig_atomic_t vanished_before_read;
    uint64_t record_offset; /* file offset of the last record handed out */
    uint64_t size_hint;     /* a regular file's size when opened; UINT64_MAX otherwise */
    uint8_t *own;           /* otherwise: read() fills this BUF_SIZE buffer */
    const uint8_t *buf;     /* the window or own */
    size_t start, end;      /* unread bytes are buf[start, end) */
    bool eof;
    int read_errno;
    uint64_t consumed;      /* file offset of buf[start] */

    enum kind kind;
    bool swapped;           /* multi-byte fields are big-endian */
    bool nsec;              /* pcap: fraction is nanoseconds */
    bool modified;          /* pcap: 24-byte record headers */
    int linktype;           /* pcap: the file's; pcapng: first interface's */
    uint32_t snaplen;

    struct iface *ifs;      /* pcapng interfaces of the current section */
    uint32_t nifs, cap_ifs;
    tstamp_t last_ts;       /* for simple packet blocks, which have none */

    uint64_t recno;         /* packets read */
    uint64_t damage_recno;  /* the packet whose record is damaged */
    uint64_t damage_offset; /* byte offset of the damaged record or block */
    struct pcapfile_stats st;
    char format[48];
    char error[256];

    /* A compressed file is read from its decompressor's output (the pipe
     * is fd); a failure it reports at the end of its output is a read
     * error, in its own words.  (Last: the fields above that every record
     * reads stay on the lines they had.) */
    struct decompressor unz;
    char unz_failed[160];
    /* A compressed regular file, kept open for its position: its
     * decompressor reads it through a copy of this descriptor, and the
     * two share one file offset.  -1 otherwise. */
    int src_fd;
    bool src_close;
    uint64_t src_size;
    struct progress *progress;  /* pcapfile_show_progress(); NULL: none */
    struct pcapfile_span span;  /* (and the files around this one) */
};

static volatile sig_atomic_t *interrupt_flag;

void pcapfile_set_interrupt(volatile sig_atomic_t *flag)
{
    interrupt_flag = flag;
}

bool pcapfile_interrupted(void)
{
    return interrupt_flag && *interrupt_flag;
}

int pcapfile_wait_input(int fd, volatile sig_atomic_t *flag, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    struct timespec limit = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
    /* The stopping signals stay blocked from the look at the flag until
     * ppoll() unblocks them together with starting to wait: one arriving in
     * between stays pending and ends the wait at once.  (With poll() it
     * could land just before the wait began, and the wait would then last
     * until more input came, or forever.) */
    sigset_t stopping, wait_mask;
    stopping_signals(&stopping);
    pthread_sigmask(SIG_BLOCK, &stopping, &wait_mask);
    int result = 1;
    for (;;) {
        if (flag && *flag) {
            result = -1;
            break;
        }
        int r = ppoll(&p, 1, timeout_ms < 0 ? NULL : &limit, &wait_mask);
        if (r > 0 || (r < 0 && errno != EINTR))
            break;      /* data, end of input or an error: read() says which */
        if (timeout_ms >= 0 && !(flag && *flag)) {
            result = 0; /* time is up, or another signal came */
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &wait_mask, NULL);
    return result;
}

bool pcapfile_wait_readable(int fd, volatile sig_atomic_t *flag)
{
    return pcapfile_wait_input(fd, flag, -1) > 0;
}

/* --------------------------------------------------------- buffering --- */

/* The window from the next unread byte on, of at least n bytes if the file
 * has them.  Should mapping fail (no address space left), reading goes on
 * with read() from there. */
static bool refill_mapped(struct pcapfile *f, size_t n)
{
    size_t avail;
    const uint8_t *p = filemap_window(f->map, f->consumed, n, &avail);
    if (p) {
        f->buf = p;
        f->start = 0;
        f->end = avail;
        return true;
    }
    uint8_t *own = malloc(BUF_SIZE);
    if (!own || lseek(f->fd, (off_t)f->consumed, SEEK_SET) < 0) {
        free(own);
        f->read_errno = errno ? errno : ENOMEM;
        f->eof = true;
        f->start = f->end = 0;
        return true;
    }
    f->vanished_before_read = *f->vanished;
    f->vanished = &f->vanished_before_read;
    filemap_close(f->map);
    f->map = NULL;
    f->own = own;
    f->buf = own;
    f->start = f->end = 0;
    return false;
}

/* read() found the end of the input.  From a decompressor, that is also
 * where it says whether all of the file came out. */
static void end_of_input(struct pcapfile *f)
{
    f->eof = true;
    if (f->unz.pid && !decompressor_reap(&f->unz, f->unz_failed, sizeof f->unz_failed))
        f->read_errno = EIO;
}

/* What went wrong reading: the decompressor's complaint, or the system's. */
static const char *read_error_text(const struct pcapfile *f)
{
    return f->unz_failed[0] ? f->unz_failed : strerror(f->read_errno);
}

/* The progress line, if one is due: over all the files read as one
 * capture (the span). */
static void progress_tick(struct pcapfile *f)
{
    if (f->progress && progress_due(f->progress)) {
        uint64_t pos, total;
        pcapfile_position(f, &pos, &total);
        total = total == UINT64_MAX || f->span.bytes_after == UINT64_MAX
                    ? UINT64_MAX
                    : f->span.bytes_before + total + f->span.bytes_after;
        progress_show(f->progress, f->span.bytes_before + pos, total, f->recno);
    }
}

/* How often a wait on a stalled pipe looks at the progress line. */
#define PROGRESS_STALL_MS 200

/* fill()'s slow path: map the next window, or move what is left to the
 * front of the buffer and read more. */
static __attribute__((noinline)) size_t refill(struct pcapfile *f, size_t n)
{
    /* (here, where the reading goes to the file for more - every window
     * of a mapped file, every read of a pipe - rather than per record) */
    progress_tick(f);
    if (f->map && refill_mapped(f, n))
        return f->end - f->start < n ? f->end - f->start : n;
    if (f->start > 0) {
        memmove(f->own, f->own + f->start, f->end - f->start);
        f->end -= f->start;
        f->start = 0;
    }
    while (f->end < n && !f->eof) {
        /* Signal handlers restart system calls (SA_RESTART), but poll() is
         * never restarted: a user's SIGINT while we wait on a pipe ends the
         * wait. */
        if (f->pollable) {
            /* While the input stalls, the progress line is still written
             * (the time left grows) and SIGUSR1 still answered: the wait
             * ends now and then to look. */
            int w = pcapfile_wait_input(f->fd, interrupt_flag, f->progress ? PROGRESS_STALL_MS : -1);
            if (w < 0) {
                f->eof = true;
                break;
            }
            if (w == 0) {
                progress_tick(f);
                continue;
            }
        }
        size_t room = BUF_SIZE - f->end;
        ssize_t r = read(f->fd, f->own + f->end, room < READ_CHUNK ? room : READ_CHUNK);
        if (r > 0)
            f->end += (size_t)r;
        else if (r == 0)
            end_of_input(f);
        else if (errno == EINTR && interrupt_flag && *interrupt_flag)
            f->eof = true;      /* stopped by the user: the caller reports it */
        else if (errno != EINTR) {
            f->read_errno = errno;
            f->eof = true;
        }
    }
    return f->end - f->start < n ? f->end - f->start : n;
}

/* Make at least n unread bytes available if the file has them.  Returns the
 * number available (less than n only at end of file or on a read error).
 * Called twice per record: the common case, bytes already buffered, is
 * inline. */
static inline size_t fill(struct pcapfile *f, size_t n)
{
    if (f->end - f->start >= n)
        return n;
    return refill(f, n);
}

static void consume(struct pcapfile *f, size_t n)
{
    f->start += n;
    f->consumed += n;
}

static inline uint32_t rd32(const struct pcapfile *f, const uint8_t *p)
{
    if (f->swapped)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint16_t rd16(const struct pcapfile *f, const uint8_t *p)
{
    if (f->swapped)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

static enum pcapfile_result damaged(struct pcapfile *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Damage found inside a pcapng packet block, whose packet is already
 * counted: damaged() would count it again (it names the packet a damaged
 * block would have held, the next one). */
static struct pcapfile *f_in_block(struct pcapfile *f)
{
    f->recno--;
    return f;
}

static enum pcapfile_result damaged(struct pcapfile *f, const char *fmt, ...)
{
    va_list ap;
    f->damage_recno = f->recno + (f->kind == KIND_PCAPNG ? 1 : 0);
    f->damage_offset = f->consumed;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
    if (f->read_errno) {
        size_t l = strlen(f->error);
        if (f->unz_failed[0])
            snprintf(f->error + l, sizeof f->error - l, " (%s)", f->unz_failed);
        else
            snprintf(f->error + l, sizeof f->error - l, " (read error: %s)", strerror(f->read_errno));
    }
    return PCAPFILE_DAMAGED;
}

/* The record recno, at offset, met a file that shrank under the mapped
 * window (or a page of it that could not be read). */
static enum pcapfile_result shrank(struct pcapfile *f, uint64_t recno, uint64_t offset)
{
    damaged(f, "the file shrank, or part of it could not be read, while it was being read");
    f->damage_recno = recno;
    f->damage_offset = offset;
    return PCAPFILE_DAMAGED;
}

/* Clamp a time in nanoseconds (as an unsigned count, possibly wrapped) and
 * an offset in seconds into the range every later computation can take. */
static tstamp_t clamp_ts(struct pcapfile *f, uint64_t ns, int64_t offset_sec)
{
    const uint64_t max = (uint64_t)PCAPFILE_MAX_TS;
    int64_t off_ns = offset_sec * TS_PER_SEC;   /* |offset_sec| <= 4.1e9: no overflow */
    uint64_t r;
    if (ns > max)
        r = max;
    else if (off_ns >= 0)
        r = ns + (uint64_t)off_ns > max ? max : ns + (uint64_t)off_ns;
    else
        r = (uint64_t)(-off_ns) > ns ? 0 : ns - (uint64_t)(-off_ns);
    if (r != ns + (uint64_t)off_ns || ns > max)
        f->st.ts_clamped++;
    return (tstamp_t)r;
}

/* -------------------------------------------------------------- pcap --- */

/* Bytes of a pcap record header: 24 in the modified format. */
static inline size_t pcap_header_len(const struct pcapfile *f) { return f->modified ? 24 : 16; }

/* Bytes ahead of the record being read that each record asks the
 * processor to fetch.  The records follow one another in memory, but the
 * processor's own prefetcher stops at every 4 KiB page (the page cache's
 * pages are not contiguous), so the first lines of each page came from
 * memory while the reader waited: a fetch a page ahead, one per record,
 * has them in the cache by then: 3-12% less time on the 1m trace's text
 * report, less or the same elsewhere (docs/performance.md, "The capture
 * fetched a page ahead").  A prefetch never faults, past the window's end
 * or the buffer's. */
#define READ_AHEAD 4096

static inline void read_ahead(const uint8_t *record)
{
    /* (as an integer: the address may lie past the end of the window) */
    __builtin_prefetch((const void *)((uintptr_t)record + READ_AHEAD));
}

/* Inline in both callers: the reading loop's one call per record. */
static inline __attribute__((always_inline)) enum pcapfile_result next_pcap(struct pcapfile *f,
                                                                         struct pcapfile_packet *pkt)
{
    size_t hlen = pcap_header_len(f);
    size_t have = fill(f, hlen);
    if (have == 0) {
        if (!f->read_errno)
            return PCAPFILE_END;
        damaged(f, "cannot read the next record");
        f->damage_recno = f->recno + 1;     /* the one that could not be read */
        return PCAPFILE_DAMAGED;
    }
    f->recno++;
    if (have < hlen)
        return damaged(f, "truncated record header: %zu of %zu bytes", have, hlen);
    const uint8_t *h = f->buf + f->start;
    read_ahead(h);
    uint32_t sec = rd32(f, h), frac = rd32(f, h + 4), incl = rd32(f, h + 8), orig = rd32(f, h + 12);
    if (incl > PCAPFILE_MAX_RECORD)
        return damaged(f, "record claims %u captured bytes, more than the %u any capture holds: "
                          "the file is corrupt from here on", incl, PCAPFILE_MAX_RECORD);
    have = fill(f, hlen + incl);
    if (have < hlen + incl)
        return damaged(f, "truncated record: %zu of %u packet bytes present", have - hlen, incl);
    if (f->snaplen && incl > f->snaplen)
        f->st.oversized++;
    if (orig < incl) {
        f->st.wirelen_short++;
        orig = incl;
    }
    pkt->data = f->buf + f->start + hlen;
    f->record_offset = f->consumed;
    pkt->caplen = incl;
    pkt->wirelen = orig;
    pkt->ts = clamp_ts(f, (uint64_t)sec * TS_PER_SEC + (uint64_t)frac * (f->nsec ? 1 : 1000), 0);
    pkt->linktype = f->linktype;
    pkt->pktno = f->recno;
    consume(f, hlen + incl);
    return PCAPFILE_PACKET;
}

/* ------------------------------------------------------------ pcapng --- */

static tstamp_t ng_time(struct pcapfile *f, const struct iface *i, uint64_t t)
{
    uint64_t ns;
    if (i->res_pow2) {
#ifdef __SIZEOF_INT128__
        unsigned __int128 v = ((unsigned __int128)t * 1000000000u) >> i->res_exp;
        ns = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
#else
        ns = (uint64_t)((long double)t * 1e9L / (long double)(1ULL << (i->res_exp & 63)));
#endif
    } else if (i->res_exp <= 9) {
        static const uint64_t mul[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                         10000, 1000, 100, 10, 1};
        ns = t > UINT64_MAX / mul[i->res_exp] ? UINT64_MAX : t * mul[i->res_exp];
    } else {
        uint64_t div = 1;
        for (unsigned k = 9; k < i->res_exp && div < UINT64_MAX / 10; k++)
            div *= 10;
        ns = t / div;
    }
    return clamp_ts(f, ns, i->offset_sec);
}

/* Parse an interface description block body. */
static enum pcapfile_result ng_idb(struct pcapfile *f, const uint8_t *b, uint32_t blen)
{
    if (blen < 8)
        return damaged(f, "interface description block too short (%u bytes)", blen);
    if (f->nifs >= MAX_INTERFACES)
        return damaged(f, "more than %u interfaces in one section", MAX_INTERFACES);
    if (f->nifs == f->cap_ifs) {
        uint32_t cap = f->cap_ifs ? f->cap_ifs * 2 : 4;
        struct iface *n = realloc(f->ifs, cap * sizeof *n);
        if (!n)
            return damaged(f, "out of memory for interfaces");
        f->ifs = n;
        f->cap_ifs = cap;
    }
    struct iface *i = &f->ifs[f->nifs];
    memset(i, 0, sizeof *i);
    i->linktype = rd16(f, b);
    i->snaplen = rd32(f, b + 4);
    i->res_exp = 6;         /* default: microseconds */
    for (uint32_t off = 8; off + 4 <= blen;) {
        uint16_t code = rd16(f, b + off), len = rd16(f, b + off + 2);
        if (code == 0)
            break;
        uint32_t padded = (len + 3u) & ~3u;
        if (off + 4 + padded > blen)
            break;          /* a broken option list: keep what we have */
        if (code == 9 && len >= 1) {
            i->res_pow2 = b[off + 4] & 0x80;
            i->res_exp = b[off + 4] & 0x7f;
            if (i->res_pow2 && i->res_exp > 63)
                i->res_exp = 63;
        } else if (code == 14 && len >= 8) {
            uint64_t v = (uint64_t)rd32(f, b + off + 4 + (f->swapped ? 0 : 4)) << 32 |
                         rd32(f, b + off + 4 + (f->swapped ? 4 : 0));
            /* Devices that write times relative to a base give the base
             * here, as seconds since 1970 (tshark applies it so).  Beyond
             * 1970..2100 it is held at that bound, so that it cannot
             * overflow, and the times it puts out of range are clamped
             * and counted (clamp_ts()). */
            const int64_t lim = 4102444800LL;
            int64_t o = (int64_t)v;
            i->offset_sec = o > lim ? lim : o < -lim ? -lim : o;
        }
        off += 4 + padded;
    }
    if (f->linktype < 0) {
        f->linktype = i->linktype;
        f->snaplen = i->snaplen;
    }
    f->nifs++;
    return PCAPFILE_PACKET;
}

static enum pcapfile_result ng_shb(struct pcapfile *f, size_t have)
{
    if (have < 12)
        return damaged(f, "truncated section header block");
    const uint8_t *p = f->buf + f->start + 8;
    uint32_t bom = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    if (bom == PCAPNG_BOM)
        f->swapped = false;
    else if (bom == 0x4d3c2b1a)
        f->swapped = true;
    else
        return damaged(f, "section header block with a bad byte-order magic");
    f->nifs = 0;            /* interfaces are per section */
    return PCAPFILE_PACKET;
}

/* Read blocks until a packet comes out (or the end, or damage).  With
 * stop_before_packet, leave the first packet block unread: used at open to
 * learn the first interface's link type. */
static enum pcapfile_result next_pcapng(struct pcapfile *f, struct pcapfile_packet *pkt,
                                        bool stop_before_packet)
{
    for (;;) {
        size_t have = fill(f, 12);
        if (have == 0)
            return f->read_errno ? damaged(f, "cannot read the next block") : PCAPFILE_END;
        if (have < 8)
            return damaged(f, "truncated block header: %zu of 8 bytes", have);
        const uint8_t *h = f->buf + f->start;
        read_ahead(h);
        uint32_t type = rd32(f, h);
        if (type == PCAPNG_SHB) {
            enum pcapfile_result r = ng_shb(f, have);
            if (r != PCAPFILE_PACKET)
                return r;
        }
        uint32_t len = rd32(f, h + 4);
        bool is_packet = type == PCAPNG_EPB || type == PCAPNG_SPB || type == PCAPNG_PB;
        if (is_packet && stop_before_packet)
            return PCAPFILE_PACKET;
        if (len < 12 || len % 4 != 0)
            return damaged(f, "block of type 0x%x has an invalid length %u", type, len);
        if (len > MAX_BLOCK)
            return damaged(f, "block of type 0x%x claims %u bytes, more than any capture block: "
                              "the file is corrupt from here on", type, len);
        have = fill(f, len);
        if (have < len)
            return damaged(f, "truncated block of type 0x%x: %zu of %u bytes present", type, have, len);
        h = f->buf + f->start;
        if (rd32(f, h + len - 4) != len)
            return damaged(f, "block of type 0x%x: its two length fields disagree", type);
        const uint8_t *b = h + 8;
        uint32_t blen = len - 12;
        enum pcapfile_result r = PCAPFILE_PACKET;
        bool out = false;

        if (is_packet) {
            f->recno++;
            f->record_offset = f->consumed;
        }
        switch (type) {
        case PCAPNG_IDB:
            r = ng_idb(f, b, blen);
            break;
        case PCAPNG_EPB:
        case PCAPNG_PB: {
            bool epb = type == PCAPNG_EPB;
            if (blen < 20)
                return damaged(f_in_block(f), "packet block too short (%u bytes)", blen);
            uint32_t ifid = epb ? rd32(f, b) : rd16(f, b);
            uint64_t t = (uint64_t)rd32(f, b + 4) << 32 | rd32(f, b + 8);
            uint32_t caplen = rd32(f, b + 12), orig = rd32(f, b + 16);
            if (caplen > blen - 20)
                return damaged(f_in_block(f), "packet block: captured length %u runs past the block (%u bytes)",
                               caplen, blen - 20);
            pkt->data = b + 20;
            pkt->caplen = caplen;
            pkt->wirelen = orig;
            out = true;
            if (ifid >= f->nifs) {
                /* handed out all the same, so that it is counted */
                f->st.bad_interface++;
                pkt->ts = f->last_ts;
                pkt->linktype = PCAPFILE_NO_INTERFACE;
                break;
            }
            const struct iface *i = &f->ifs[ifid];
            pkt->ts = ng_time(f, i, t);
            pkt->linktype = i->linktype;
            if (i->snaplen && caplen > i->snaplen)
                f->st.oversized++;
            break;
        }
        case PCAPNG_SPB: {
            if (blen < 4)
                return damaged(f_in_block(f), "simple packet block too short");
            uint32_t orig = rd32(f, b), caplen = blen - 4;
            if (caplen > orig)
                caplen = orig;
            if (f->nifs && f->ifs[0].snaplen && caplen > f->ifs[0].snaplen)
                caplen = f->ifs[0].snaplen;
            pkt->data = b + 4;
            pkt->caplen = caplen;
            pkt->wirelen = orig;
            pkt->ts = f->last_ts;   /* simple packet blocks carry no time */
            if (f->nifs) {
                pkt->linktype = f->ifs[0].linktype;
            } else {
                f->st.bad_interface++;
                pkt->linktype = PCAPFILE_NO_INTERFACE;
            }
            out = true;
            break;
        }
        case PCAPNG_SHB:
            break;
        default:
            f->st.other_blocks++;
            break;
        }
        if (r != PCAPFILE_PACKET)
            return r;
        consume(f, len);
        if (out) {
            if (pkt->wirelen < pkt->caplen) {
                f->st.wirelen_short++;
                pkt->wirelen = pkt->caplen;
            }
            pkt->pktno = f->recno;
            f->last_ts = pkt->ts;
            return PCAPFILE_PACKET;
        }
    }
}

/* ------------------------------------------------------------ common --- */

struct pcapfile *pcapfile_open(const char *path, char *err, size_t errlen)
{
    return pcapfile_open_named(path, strcmp(path, "-") == 0 ? "standard input" : path, err, errlen);
}

/* The data read so far is compressed: read the decompressor's output from
 * here on.  A mapped file (mapped only from its start, filemap.h) is given
 * to the decompressor whole, by its descriptor, whose offset mapping did
 * not move; from anything else - a pipe, which cannot be peeked into - the
 * bytes already read go first, through a feeder (decompress.h). */
static bool read_through_decompressor(struct pcapfile *f, enum compression kind, char *why, size_t whylen)
{
    struct decompressor d;
    bool started = f->map ? decompressor_start(&d, kind, f->fd, why, whylen)
                          : decompressor_start_fed(&d, kind, f->fd, f->own + f->start, f->end - f->start, why,
                                                   whylen);
    if (!started)
        return false;
    if (f->map) {
        uint8_t *own = malloc(BUF_SIZE);
        if (!own) {
            decompressor_stop(&d);
            close(d.out);
            snprintf(why, whylen, "out of memory");
            return false;
        }
        filemap_close(f->map);
        f->map = NULL;
        f->vanished = NULL;
        f->own = own;
        f->buf = own;
        /* A regular file, which the decompressor reads through its own
         * copy of the descriptor: ours stays open for the position. */
        f->src_fd = f->fd;
        f->src_close = f->close_fd;
        f->src_size = f->size_hint;
    } else if (f->close_fd) {
        close(f->fd);       /* the feeder has its own */
    }
    f->fd = d.out;
    f->close_fd = true;
    f->pollable = true;
    f->size_hint = UINT64_MAX;  /* (the compressed file's size says little) */
    f->unz = d;
    f->start = f->end = 0;
    f->eof = false;
    return true;
}

/* "pcap", "pcapng", ..., and how the file was compressed. */
static void set_format(struct pcapfile *f, const char *format)
{
    if (f->unz.kind != COMPRESSION_NONE)
        snprintf(f->format, sizeof f->format, "%s, %s-compressed", format, compression_name(f->unz.kind));
    else
        snprintf(f->format, sizeof f->format, "%s", format);
}

/* The data does not start as a capture does. */
static void not_a_capture(const struct pcapfile *f, const char *name, char *err, size_t errlen)
{
    if (f->unz.kind != COMPRESSION_NONE)
        snprintf(err, errlen, "%s: %s-compressed, but what it holds is not a pcap or pcapng capture file", name,
                 compression_name(f->unz.kind));
    else
        snprintf(err, errlen, "%s: not a pcap or pcapng capture file (unknown file format)", name);
}

struct pcapfile *pcapfile_open_named(const char *path, const char *name, char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
        return NULL;
    }
    return pcapfile_open_fd(fd, !is_stdin, name, err, errlen);
}

struct pcapfile *pcapfile_open_fd(int fd, bool own_fd, const char *name, char *err, size_t errlen)
{
    struct stat sb;
    bool have_stat = fstat(fd, &sb) == 0;
    if (have_stat && S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a capture file", name);
        if (own_fd)
            close(fd);
        return NULL;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    if (own_fd)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    struct pcapfile *f = calloc(1, sizeof *f);
    struct filemap *map = f ? filemap_open(fd) : NULL;  /* NULL: not a mappable file */
    uint8_t *own = f && !map ? malloc(BUF_SIZE) : NULL;
    if (!f || (!map && !own)) {
        free(f);
        snprintf(err, errlen, "%s: out of memory", name);
        if (own_fd)
            close(fd);
        return NULL;
    }
    f->fd = fd;
    f->src_fd = -1;
    f->unz = (struct decompressor){ .kind = COMPRESSION_NONE, .out = -1, .err = -1 };
    f->pollable = have_stat && !S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode);
    f->size_hint = have_stat && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : UINT64_MAX;
    f->close_fd = own_fd;
    f->map = map;
    f->vanished = map ? filemap_failed_flag(map) : NULL;
    f->own = own;
    f->buf = own;
    f->linktype = -1;

    size_t have = fill(f, 24);
    enum compression kind = have ? compression_of(f->buf + f->start, have) : COMPRESSION_NONE;
    if (kind != COMPRESSION_NONE) {
        char why[224];
        if (!read_through_decompressor(f, kind, why, sizeof why)) {
            snprintf(err, errlen, "%s: %s", name, why);
            pcapfile_close(f);
            return NULL;
        }
        have = fill(f, 24);
    }
    if (have == 0) {
        snprintf(err, errlen, "%s: %s", name,
                 f->read_errno ? read_error_text(f) : "empty file, not a capture file");
        pcapfile_close(f);
        return NULL;
    }
    const uint8_t *h = f->buf;
    uint32_t le = have >= 4 ? (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[1] << 8 | h[0] : 0;
    uint32_t be = have >= 4 ? (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3] : 0;

    if (le == PCAPNG_SHB) {
        f->kind = KIND_PCAPNG;
        set_format(f, "pcapng");
        struct pcapfile_packet dummy;
        if (next_pcapng(f, &dummy, true) == PCAPFILE_DAMAGED) {
            snprintf(err, errlen, "%s: cannot read: %s", name, f->error);
            pcapfile_close(f);
            return NULL;
        }
        return f;
    }
    uint32_t magic = 0;
    if (le == MAGIC_USEC || le == MAGIC_NSEC || le == MAGIC_MODIFIED) {
        magic = le;
    } else if (be == MAGIC_USEC || be == MAGIC_NSEC || be == MAGIC_MODIFIED) {
        magic = be;
        f->swapped = true;
    } else {
        not_a_capture(f, name, err, errlen);
        pcapfile_close(f);
        return NULL;
    }
    if (have < 24) {
        snprintf(err, errlen, "%s: truncated pcap file header: %zu of 24 bytes", name, have);
        pcapfile_close(f);
        return NULL;
    }
    f->kind = KIND_PCAP;
    f->nsec = magic == MAGIC_NSEC;
    f->modified = magic == MAGIC_MODIFIED;
    uint16_t major = rd16(f, h + 4);
    if (major != 2) {
        snprintf(err, errlen, "%s: pcap version %u is not supported (only 2.x exists)", name, major);
        pcapfile_close(f);
        return NULL;
    }
    f->snaplen = rd32(f, h + 16);
    f->linktype = (int)(rd32(f, h + 20) & 0xffff);
    set_format(f, f->nsec ? "pcap (nanosecond)" : f->modified ? "pcap (modified)" : "pcap");
    consume(f, 24);
    return f;
}

/* Reading a mapped file.  Pages of the window that vanish under the reader
 * (the file shrank, or the disk failed to give a page) read as zeros and
 * are noted (filemap.h).  A record is handed out only if all of it was
 * still there once its last byte has been read (a file shrinks from its
 * end, by whole pages); a fault later, while the record is decoded, is
 * found with the next one.  A pcapng block's last bytes, its second
 * length, have been read; a pcap record's last byte needs a read of its
 * own only when it lies on another page than the record's header (4 KiB:
 * the smallest page), which spares most records a cache line they do not
 * need.  A file cut inside a page reads as zeros to the end of that page
 * without a fault: a pcap record that comes out empty (a header cut
 * anywhere before its last field has a length of zero), or any damage,
 * makes the reader ask whether the file has shrunk since its window was
 * mapped, and name that as the cause. */
static enum pcapfile_result next_mapped(struct pcapfile *f, struct pcapfile_packet *pkt)
{
    enum pcapfile_result r = f->kind == KIND_PCAP ? next_pcap(f, pkt) : next_pcapng(f, pkt, false);
    if (r == PCAPFILE_PACKET) {
        if (f->kind == KIND_PCAP) {
            if (pkt->caplen) {
                uintptr_t header = (uintptr_t)pkt->data - pcap_header_len(f);
                const uint8_t *last = pkt->data + pkt->caplen - 1;
                if ((header ^ (uintptr_t)last) >= SMALLEST_PAGE)
                    (void)*(volatile const uint8_t *)last;
            } else if (f->map && filemap_shrunk(f->map)) {
                return shrank(f, f->recno, f->record_offset);
            }
        }
        if (*f->vanished)
            return shrank(f, f->recno, f->record_offset);
    } else if (r == PCAPFILE_DAMAGED) {
        if (*f->vanished || (f->map && filemap_shrunk(f->map)))
            return shrank(f, f->damage_recno, f->damage_offset);
    } else if (*f->vanished) {
        return shrank(f, f->recno + 1, f->consumed);
    }
    return r;
}

enum pcapfile_result pcapfile_next(struct pcapfile *f, struct pcapfile_packet *pkt)
{
    if (f->error[0])
        return PCAPFILE_DAMAGED;
    if (f->vanished)
        return next_mapped(f, pkt);
    return f->kind == KIND_PCAP ? next_pcap(f, pkt) : next_pcapng(f, pkt, false);
}

const char *pcapfile_error(const struct pcapfile *f) { return f->error; }
uint64_t pcapfile_damage_recno(const struct pcapfile *f) { return f->damage_recno; }
void pcapfile_number_from(struct pcapfile *f, uint64_t before) { f->recno = before; }
uint64_t pcapfile_damage_offset(const struct pcapfile *f) { return f->damage_offset; }
uint64_t pcapfile_size_hint(const struct pcapfile *f) { return f->size_hint; }

void pcapfile_show_progress(struct pcapfile *f, struct progress *p, struct pcapfile_span span)
{
    f->progress = p;
    f->span = span;
}

void pcapfile_position(const struct pcapfile *f, uint64_t *pos, uint64_t *total)
{
    if (f->src_fd >= 0) {
        off_t at = lseek(f->src_fd, 0, SEEK_CUR);
        *pos = at < 0 ? 0 : (uint64_t)at;
        *total = f->src_size;
        return;
    }
    *pos = f->consumed;
    *total = f->size_hint;
}
const char *pcapfile_format(const struct pcapfile *f) { return f->format; }
bool pcapfile_compressed(const struct pcapfile *f) { return f->unz.kind != COMPRESSION_NONE; }
int pcapfile_linktype(const struct pcapfile *f) { return f->linktype; }
uint32_t pcapfile_snaplen(const struct pcapfile *f) { return f->snaplen; }
const struct pcapfile_stats *pcapfile_stats(const struct pcapfile *f) { return &f->st; }

void pcapfile_close(struct pcapfile *f)
{
    if (!f)
        return;
    if (f->close_fd)
        close(f->fd);
    if (f->src_fd >= 0 && f->src_close)
        close(f->src_fd);
    decompressor_stop(&f->unz);     /* (if reading stopped before its end) */
    free(f->ifs);
    filemap_close(f->map);
    free(f->own);
    free(f);
}
