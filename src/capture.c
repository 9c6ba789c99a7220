/* capture.c - capture files through pcapfile.c, filters through libpcap. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "format.h"
#include "pcapfile.h"
#include "pcaplib.h"

#define MAX_PROGS 8

struct filter_prog {
    int linktype;
    struct bpf_program prog;
};

/* One of the files a capture is read from. */
struct capture_file {
    char *path, *name;
    int fd;                 /* opened ahead by capture_open_now(); -1: not */
    uint64_t size;          /* when the capture was opened; UINT64_MAX: not a regular file */
    bool compressed;        /* (a regular file after the first) begins with a compressor's magic */
};

struct capture {
    struct pcapfile *file;  /* files[cur], being read */
    struct capture_file *files;
    int nfiles, cur;
    /* the files before the current one: their packet records (the packet
     * numbers run on from file to file), bytes and oddities */
    uint64_t records_before, bytes_before;
    uint64_t oversized_before, ts_clamped_before;
    tstamp_t last_ts;       /* of the last packet returned with a time (0: none known) */
    int last_file;          /* the file it came from */
    bool check_order;       /* the next packet is a later file's first */
    /* the first file that began before the file before it ended */
    int disorder_file;      /* its index; 0: none */
    uint32_t disorders;     /* files out of order, that one and any later */
    int disorder_before;    /* the file of the newer packet before it */
    tstamp_t disorder_by;   /* how much earlier */
    char format[128];       /* the formats met, "pcap" or "pcap; pcapng" */
    int first_linktype;     /* the first file's */
    bool other_links;       /* a later file has another */
    char *source;
    char *filter;
    struct filter_prog progs[MAX_PROGS];
    int nprogs;
    char linktype_text[96];
    char error[512];
    uint64_t error_pktno;
    uint64_t records, filtered;
    struct progress *progress;  /* capture_show_progress(); NULL: none */
};

/* LINKTYPE_ values in files that differ from the DLT_ values libpcap's
 * filter compiler expects. */
static int linktype_to_dlt(int lt)
{
    switch (lt) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    default: return lt;
    }
}

/* The names and descriptions libpcap gives the link types tcpfsm decodes
 * (those of libpcap 1.10; tests/unit/test_pcaplib checks them against the
 * libpcap it runs with): reading a file of one of these then needs no
 * libpcap at all (src/pcaplib.h). */
static const struct known_link {
    int dlt;
    const char *name, *desc;
} known_links[] = {
    { DLT_NULL, "NULL", "BSD loopback" },
    { DLT_EN10MB, "EN10MB", "Ethernet" },
    { DLT_PPP, "PPP", "PPP" },
    { DLT_ARCNET, "ARCNET", "BSD ARCNET" },
    { DLT_FDDI, "FDDI", "FDDI" },
    { DLT_RAW, "RAW", "Raw IP" },
    { DLT_PPP_SERIAL, "PPP_SERIAL", "PPP over serial" },
    { DLT_PPP_ETHER, "PPP_ETHER", "PPPoE" },
    { DLT_C_HDLC, "C_HDLC", "Cisco HDLC" },
    { DLT_LOOP, "LOOP", "OpenBSD loopback" },
    { DLT_LINUX_SLL, "LINUX_SLL", "Linux cooked v1" },
    { 228 /* DLT_IPV4 */, "IPV4", "Raw IPv4" },
    { 229 /* DLT_IPV6 */, "IPV6", "Raw IPv6" },
    { 129 /* DLT_ARCNET_LINUX */, "ARCNET_LINUX", "Linux ARCNET" },
    { 178 /* DLT_JUNIPER_ETHER */, "JUNIPER_ETHER", "Juniper Ethernet" },
    { 242 /* DLT_IPOIB */, "IPOIB", "RFC 4391 IP-over-Infiniband" },
    { 276 /* DLT_LINUX_SLL2 */, "LINUX_SLL2", "Linux cooked v2" },
    { 8 /* SLIP */, "SLIP", "SLIP" },
    { 105 /* DLT_IEEE802_11 */, "IEEE802_11", "802.11" },
    { 109 /* DLT_ENC */, "ENC", "OpenBSD encapsulated IP" },
    { 117 /* DLT_PFLOG */, "PFLOG", "OpenBSD pflog file" },
    { 119 /* DLT_PRISM_HEADER */, "PRISM_HEADER", "802.11 plus Prism header" },
    { 127 /* DLT_IEEE802_11_RADIO */, "IEEE802_11_RADIO", "802.11 plus radiotap header" },
    { 163 /* DLT_IEEE802_11_RADIO_AVS */, "IEEE802_11_RADIO_AVS", "802.11 plus AVS radio information header" },
    { 192 /* DLT_PPI */, "PPI", "Per-Packet Information" },
    { 219 /* DLT_MPLS */, "MPLS", "MPLS with label as link-layer header" },
    { 226 /* DLT_IPNET */, "IPNET", "Solaris ipnet" },
    { 239 /* DLT_NFLOG */, "NFLOG", "Linux netfilter log messages" },
    { 240 /* DLT_NETANALYZER */, "NETANALYZER", "Ethernet with Hilscher netANALYZER pseudo-header" },
    { 241 /* DLT_NETANALYZER_TRANSPARENT */, "NETANALYZER_TRANSPARENT", "Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD" },
    { 258 /* DLT_PKTAP */, "PKTAP", "Apple DLT_PKTAP" },
};

bool linktype_known_name(int dlt, const char **name, const char **desc)
{
    for (size_t i = 0; i < sizeof known_links / sizeof known_links[0]; i++)
        if (known_links[i].dlt == dlt) {
            *name = known_links[i].name;
            *desc = known_links[i].desc;
            return true;
        }
    return false;
}

void linktype_text(int lt, char *buf, size_t len)
{
    int dlt = linktype_to_dlt(lt);
    const char *name, *desc;
    if (!linktype_known_name(dlt, &name, &desc)) {
        name = pcap_datalink_val_to_name(dlt);
        desc = pcap_datalink_val_to_description(dlt);
    }
    if (name)
        snprintf(buf, len, "%s (%s)", name, desc ? desc : name);
    else
        snprintf(buf, len, "%d (unknown)", lt);
}

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    return capture_open_files(&path, NULL, 1, err, errlen);
}

struct capture *capture_open_file_named(const char *path, const char *name, char *err, size_t errlen)
{
    return capture_open_files(&path, &name, 1, err, errlen);
}

/* "a.pcap", or "a.pcap ... a.pcap9 (10 files)" */
static char *source_text(const struct capture *c)
{
    const char *first = c->files[0].name, *last = c->files[c->nfiles - 1].name;
    if (c->nfiles == 1)
        return strdup(first);
    size_t len = strlen(first) + strlen(last) + 40;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s ... %s (%d files)", first, last, c->nfiles);
    return s;
}

/* Note the format of the file just opened among those met. */
static void add_format(struct capture *c)
{
    const char *f = pcapfile_format(c->file);
    size_t have = strlen(c->format), n = strlen(f);
    for (const char *p = c->format; (p = strstr(p, f)); p++)
        if ((p == c->format || p[-1] == ' ') && (p[n] == 0 || p[n] == ';'))
            return;
    if (have + n + 3 < sizeof c->format)
        snprintf(c->format + have, sizeof c->format - have, "%s%s", have ? "; " : "", f);
}

static void free_files(struct capture_file *files, int n)
{
    for (int i = 0; i < n && files; i++) {
        if (files[i].fd >= 0)
            close(files[i].fd);
        free(files[i].path);
        free(files[i].name);
    }
    free(files);
}

/* Whether the regular file at path begins with a compressor's magic
 * number (read through its decompressor when its turn comes). */
static bool begins_compressed(const char *path)
{
    uint8_t magic[COMPRESSION_MAGIC_LEN];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n > 0 && compression_of(magic, (size_t)n) != COMPRESSION_NONE;
}

/* A file's name as messages and reports show it: its control characters
 * (an escape sequence, a newline in a crafted name) replaced by '?', so
 * that printing it cannot drive the terminal or break a report's lines.
 * The file is opened by its real path. */
static char *display_name(const char *name)
{
    /* Kept: printable ASCII, and well-formed UTF-8 of characters from
     * U+00A0 up (a name in the user's own script).  Each other byte, or
     * sequence, is one '?': C0 controls and DEL, the C1 controls U+0080 to
     * U+009F (U+009B is CSI to a terminal that takes them), and bytes that
     * are not UTF-8 (0x80-0x9f alone are C1 controls to an 8-bit
     * terminal). */
    size_t n = strlen(name);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    const unsigned char *p = (const unsigned char *)name;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = p[i];
        if (b >= 32 && b < 127) {
            d[o++] = (char)b;
            i++;
            continue;
        }
        /* the length of a well-formed UTF-8 sequence starting here, 0 if
         * none (RFC 3629: no overlong forms, no surrogates, up to U+10FFFF) */
        size_t len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
        for (size_t k = 1; k < len; k++)
            if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
                len = 0;
        if (len && ((b == 0xe0 && p[i + 1] < 0xa0) || (b == 0xed && p[i + 1] >= 0xa0) ||
                    (b == 0xf0 && p[i + 1] < 0x90) || (b == 0xf4 && p[i + 1] >= 0x90) ||
                    (b == 0xc2 && p[i + 1] < 0xa0)))
            len = 0;
        if (len) {
            memcpy(d + o, p + i, len);
            o += len;
            i += len;
        } else {
            d[o++] = '?';
            i++;
        }
    }
    d[o] = '\0';
    return d;
}

struct capture *capture_open_files(const char *const *paths, const char *const *names, int n, char *err,
                                   size_t errlen)
{
    struct capture *c = calloc(1, sizeof *c);
    struct capture_file *files = calloc(n > 0 ? (size_t)n : 1, sizeof *files);
    if (!c || !files) {
        free(c);
        free(files);
        snprintf(err, errlen, "%s: out of memory", n > 0 ? paths[0] : "input");
        return NULL;
    }
    c->files = files;
    c->nfiles = n;
    for (int i = 0; i < n; i++) {
        const char *name = names && names[i] ? names[i] : strcmp(paths[i], "-") ? paths[i] : "standard input";
        files[i].path = strdup(paths[i]);
        files[i].name = display_name(name);
        if (!files[i].path || !files[i].name) {
            snprintf(err, errlen, "%s: out of memory", name);
            goto fail;
        }
        files[i].fd = -1;
        struct stat st;
        bool known = strcmp(paths[i], "-") && stat(paths[i], &st) == 0;
        files[i].size = known && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
        /* The later files are opened when their turn comes; whether they
         * can be is known now, before anything is read.  (Not by opening
         * them: a FIFO's writer would be let go, and then find no reader.) */
        if (i > 0) {
            if (!known || access(paths[i], R_OK) != 0) {
                snprintf(err, errlen, "%s: cannot open: %s", files[i].name, strerror(errno));
                goto fail;
            }
            if (S_ISDIR(st.st_mode)) {
                snprintf(err, errlen, "%s: is a directory, not a capture file", files[i].name);
                goto fail;
            }
            if (S_ISREG(st.st_mode))
                files[i].compressed = begins_compressed(paths[i]);
        }
    }
    c->file = pcapfile_open_named(files[0].path, files[0].name, err, errlen);
    if (!c->file)
        goto fail;
    if (!(c->source = source_text(c))) {
        snprintf(err, errlen, "%s: out of memory", files[0].name);
        goto fail;
    }
    add_format(c);
    c->first_linktype = pcapfile_linktype(c->file);
    if (c->first_linktype >= 0)
        linktype_text(c->first_linktype, c->linktype_text, sizeof c->linktype_text);
    else
        snprintf(c->linktype_text, sizeof c->linktype_text, "none (no interface)");
    return c;
fail:
    pcapfile_close(c->file);
    free_files(files, n);
    free(c);
    return NULL;
}

/* path opened for reading without waiting for a FIFO's writer; then
 * blocking again, as pcapfile expects.  -1 with errno set on failure. */
static int open_unblocked(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

bool capture_open_now(struct capture *c, char *err, size_t errlen)
{
    /* as many descriptors as the files need, if the hard limit allows */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        lim.rlim_cur < (rlim_t)c->nfiles + 64) {
        lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > (rlim_t)c->nfiles + 64
                           ? (rlim_t)c->nfiles + 64
                           : lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    for (int i = c->cur + 1; i < c->nfiles; i++) {
        struct capture_file *cf = &c->files[i];
        if (cf->fd >= 0)
            continue;
        /* (without waiting for a FIFO's writer; reading waits for input) */
        cf->fd = open_unblocked(cf->path);
        if (cf->fd < 0) {
            snprintf(err, errlen, "%s: cannot open: %s%s", cf->name, strerror(errno),
                     errno == EMFILE ? " (too many files to hold open at once: merge them with mergecap -a)" : "");
            return false;
        }
    }
    return true;
}

static struct bpf_program *compile(struct capture *c, int linktype, char *err, size_t errlen)
{
    for (int i = 0; i < c->nprogs; i++)
        if (c->progs[i].linktype == linktype)
            return &c->progs[i].prog;
    if (c->nprogs == MAX_PROGS) {
        snprintf(err, errlen, "filter: more than %d link types in one file", MAX_PROGS);
        return NULL;
    }
    char why[256];
    if (!pcaplib_load(why, sizeof why)) {
        snprintf(err, errlen, "filter \"%s\": %s", c->filter, why);
        return NULL;
    }
    pcap_t *dead = pcap_open_dead(linktype_to_dlt(linktype), PCAPFILE_MAX_RECORD);
    if (!dead) {
        snprintf(err, errlen, "filter: out of memory");
        return NULL;
    }
    struct filter_prog *fp = &c->progs[c->nprogs];
    if (pcap_compile(dead, &fp->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        char lt[96];
        linktype_text(linktype, lt, sizeof lt);
        snprintf(err, errlen, "filter \"%s\": %s (link type %s)", c->filter, pcap_geterr(dead), lt);
        pcap_close(dead);
        return NULL;
    }
    pcap_close(dead);
    fp->linktype = linktype;
    c->nprogs++;
    return &fp->prog;
}

bool capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen)
{
    if (!filter || !*filter)
        return true;
    c->filter = strdup(filter);
    if (!c->filter) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    /* Compile now for the first link type, so a bad expression is a usage
     * error before anything is read. */
    int lt = pcapfile_linktype(c->file);
    return compile(c, lt >= 0 ? lt : 1 /* Ethernet */, err, errlen) != NULL;
}

/* The progress line's view of where the current file stands. */
static struct pcapfile_span span_of(const struct capture *c)
{
    struct pcapfile_span span = { c->bytes_before, 0 };
    for (int i = c->cur + 1; i < c->nfiles && span.bytes_after != UINT64_MAX; i++)
        span.bytes_after = c->files[i].size == UINT64_MAX ? UINT64_MAX : span.bytes_after + c->files[i].size;
    return span;
}

void capture_show_progress(struct capture *c, struct progress *p)
{
    c->progress = p;
    pcapfile_show_progress(c->file, p, span_of(c));
}

void capture_progress_done(struct capture *c)
{
    if (c->progress)
        progress_clear(c->progress);
}

/* After CAPTURE_DAMAGED: the message, naming the file when there are several. */
static enum capture_result damaged(struct capture *c)
{
    char where[320] = "";
    uint64_t local = pcapfile_damage_recno(c->file) - c->records_before;
    if (c->nfiles > 1)
        snprintf(where, sizeof where, " of %s, its packet %llu", c->files[c->cur].name, (unsigned long long)local);
    snprintf(c->error, sizeof c->error, "%s (at byte offset %llu%s%s)", pcapfile_error(c->file),
             (unsigned long long)pcapfile_damage_offset(c->file),
             pcapfile_compressed(c->file) ? " of the decompressed data" : "", where);
    c->error_pktno = pcapfile_damage_recno(c->file);
    return CAPTURE_DAMAGED;
}

/* The current file has ended: open the next one (numbering its packets on
 * from the last).  CAPTURE_PACKET: read on; CAPTURE_FAILED if it cannot be
 * opened.  (capture_next() reads its first packet: pcapfile_next() keeps
 * one caller, which has it inline.) */
static __attribute__((noinline)) enum capture_result next_file(struct capture *c)
{
    const struct capture_file *next = &c->files[c->cur + 1];
    char err[400];
    /* (not waiting in open() for a FIFO's writer, where no signal could
     * stop the wait: the read waits, in ppoll()) */
    int fd = next->fd >= 0 ? next->fd : open_unblocked(next->path);
    c->files[c->cur + 1].fd = -1;       /* (the file's now, open or not) */
    if (fd < 0) {
        snprintf(c->error, sizeof c->error, "%s: cannot open: %s", next->name, strerror(errno));
        c->error_pktno = c->records + 1;
        return CAPTURE_FAILED;
    }
    struct pcapfile *f = pcapfile_open_fd(fd, true, next->name, err, sizeof err);
    if (!f) {           /* (the ended file stays, for its counts) */
        snprintf(c->error, sizeof c->error, "%s", err);
        c->error_pktno = c->records + 1;
        return CAPTURE_FAILED;
    }
    uint64_t pos, total;
    pcapfile_position(c->file, &pos, &total);
    const struct pcapfile_stats *st = pcapfile_stats(c->file);
    c->bytes_before += pos;
    c->records_before = c->records;
    c->oversized_before += st->oversized;
    c->ts_clamped_before += st->ts_clamped;
    pcapfile_close(c->file);
    c->file = f;
    c->cur++;
    pcapfile_number_from(f, c->records);
    add_format(c);
    if (pcapfile_linktype(f) != c->first_linktype && !c->other_links) {
        c->other_links = true;
        size_t have = strlen(c->linktype_text);
        snprintf(c->linktype_text + have, sizeof c->linktype_text - have, " and others");
    }
    if (c->progress)
        pcapfile_show_progress(f, c->progress, span_of(c));
    c->check_order = true;
    return CAPTURE_PACKET;
}

/* The first packet with a time of a file after the first: is it older
 * than the last packet with a time before it? */
static __attribute__((noinline)) void check_order(struct capture *c, tstamp_t first)
{
    if (first == 0)
        return;         /* no time known (pcapng's simple packets): the next packet is asked */
    c->check_order = false;
    if (first < c->last_ts) {
        if (!c->disorder_file) {
            c->disorder_file = c->cur;
            c->disorder_before = c->last_file;
            c->disorder_by = c->last_ts - first;
        }
        c->disorders++;
    }
    c->last_file = c->cur;
}

enum capture_result capture_next(struct capture *c, struct capture_packet *pkt)
{
    for (;;) {
        enum pcapfile_result r = pcapfile_next(c->file, &pkt->rec);
        if (__builtin_expect(r != PCAPFILE_PACKET, 0)) {
            if (r == PCAPFILE_DAMAGED)
                return damaged(c);
            if (c->cur + 1 == c->nfiles || pcapfile_interrupted())
                return CAPTURE_END;     /* (stopped by the user: no next file) */
            enum capture_result nr = next_file(c);
            if (nr != CAPTURE_PACKET)
                return nr;
            continue;
        }
        if (__builtin_expect(c->check_order, 0))
            check_order(c, pkt->ts);
        c->last_ts = pkt->ts ? pkt->ts : c->last_ts;    /* (a conditional move, not a branch) */
        c->records++;
        if (c->filter && pkt->linktype >= 0) {
            struct bpf_program *prog = compile(c, pkt->linktype, c->error, sizeof c->error);
            if (!prog) {
                c->error_pktno = c->records;
                c->records--;   /* reported: the packets before it, not it */
                return CAPTURE_FAILED;
            }
            struct pcap_pkthdr h;
            h.ts.tv_sec = (time_t)(pkt->ts / TS_PER_SEC);
            h.ts.tv_usec = (suseconds_t)((pkt->ts % TS_PER_SEC) / 1000);
            h.caplen = pkt->caplen;
            h.len = pkt->wirelen;
            if (!pcap_offline_filter(prog, &h, pkt->data)) {
                c->filtered++;
                continue;
            }
        }
        return CAPTURE_PACKET;
    }
}

const char *capture_error(const struct capture *c) { return c->error; }
uint64_t capture_error_pktno(const struct capture *c) { return c->error_pktno; }
int capture_linktype(const struct capture *c) { return c->first_linktype; }
bool capture_single_linktype(const struct capture *c)
{
    return c->cur == 0 && strncmp(pcapfile_format(c->file), "pcapng", 6) != 0;
}
const char *capture_linktype_text(const struct capture *c) { return c->linktype_text; }
const char *capture_format(const struct capture *c) { return c->format; }
uint64_t capture_size_hint(const struct capture *c)
{
    if (c->nfiles == 1)
        return pcapfile_size_hint(c->file);
    uint64_t sum = 0;
    for (int i = 0; i < c->nfiles; i++)
        if (c->files[i].size != UINT64_MAX)
            sum += c->files[i].size;
    return sum;
}
bool capture_compressed(const struct capture *c) { return pcapfile_compressed(c->file); }

bool capture_never_waits(const struct capture *c)
{
    if (pcapfile_compressed(c->file))
        return false;
    for (int i = 0; i < c->nfiles; i++)
        if (c->files[i].size == UINT64_MAX || c->files[i].compressed)  /* a pipe, or read through one */
            return false;
    return true;
}
const char *capture_source(const struct capture *c) { return c->source; }

void capture_set_source(struct capture *c, const char *name)
{
    char *n = strdup(name);
    if (n) {
        free(c->source);
        c->source = n;
    }
}
uint64_t capture_records(const struct capture *c) { return c->records; }
uint64_t capture_filtered(const struct capture *c) { return c->filtered; }
uint64_t capture_oversized(const struct capture *c)
{
    return c->oversized_before + pcapfile_stats(c->file)->oversized;
}
uint64_t capture_ts_clamped(const struct capture *c)
{
    return c->ts_clamped_before + pcapfile_stats(c->file)->ts_clamped;
}
const char *capture_file_name(const struct capture *c) { return c->files[c->cur].name; }

void capture_warn_disorder(const struct capture *c)
{
    if (!c->disorder_file)
        return;
    char when[24], more[64] = "";
    if (c->disorders > 1)
        snprintf(more, sizeof more, " (and %" PRIu32 " more file%s like it)", c->disorders - 1,
                 c->disorders > 2 ? "s" : "");
    fprintf(stderr, "tcpfsm: %s begins %s before the end of %s, read before it%s: the -r files are read in "
                    "the order given; give them in time order\n",
            c->files[c->disorder_file].name,
            c->disorder_by < TS_PER_SEC ? "less than a second" : format_duration(c->disorder_by, when),
            c->files[c->disorder_before].name, more);
}

void capture_close(struct capture *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nprogs; i++)
        pcap_freecode(&c->progs[i].prog);
    free(c->filter);
    free(c->source);
    pcapfile_close(c->file);
    free_files(c->files, c->nfiles);
    free(c);
}
