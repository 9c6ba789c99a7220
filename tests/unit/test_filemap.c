/* test_filemap.c - reading a capture through mapped windows (src/filemap.c
 * as src/pcapfile.c uses it).
 *
 * Records of all sizes, many of them across the windows' edges, must come
 * out exactly as written, from a pcap and from a pcapng file of several
 * windows.  A file that shrinks while it is read must end the reading as
 * damaged at the record it cut, with every record before it handed out
 * intact, and the process must go on: cut at a page boundary inside a
 * record the window already maps (its pages vanish under the reader, and
 * the access raises SIGBUS), in pcap and pcapng, and cut inside a page (the
 * rest of which then reads as zeros, with no fault). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"
#include "unit.h"

#define MAX_RECS 4096

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t sizes[MAX_RECS];
static uint64_t offsets[MAX_RECS];     /* file offset of each record's header */

static uint8_t byte_of(uint32_t rec, uint32_t i) { return (uint8_t)(rec * 131u + i * 7u + (i >> 8)); }

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

static void put_body(FILE *f, uint32_t rec, uint32_t len)
{
    static uint8_t buf[PCAPFILE_MAX_RECORD];
    for (uint32_t i = 0; i < len; i++)
        buf[i] = byte_of(rec, i);
    fwrite(buf, 1, len, f);
}

/* n records of random sizes (a few large ones); min_len bounds them below. */
static void choose_sizes(uint32_t n, uint32_t min_len)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = unit_rand(&rng);
        sizes[i] = r % 97 == 0 ? 60000 + r % 150000 : min_len + r % 3000;
    }
}

static void write_pcap(const char *path, uint32_t n)
{
    FILE *f = fopen(path, "wb");
    put32(f, 0xa1b2c3d4);
    put16(f, 2);
    put16(f, 4);
    put32(f, 0);
    put32(f, 0);
    put32(f, PCAPFILE_MAX_RECORD);
    put32(f, 1);
    for (uint32_t i = 0; i < n; i++) {
        offsets[i] = (uint64_t)ftell(f);
        put32(f, 1700000000u + i);
        put32(f, i % 1000000u);
        put32(f, sizes[i]);
        put32(f, sizes[i]);
        put_body(f, i, sizes[i]);
    }
    fclose(f);
}

static void write_pcapng(const char *path, uint32_t n)
{
    FILE *f = fopen(path, "wb");
    put32(f, 0x0a0d0d0a);           /* section header */
    put32(f, 28);
    put32(f, 0x1a2b3c4d);
    put16(f, 1);
    put16(f, 0);
    put32(f, 0xffffffff);
    put32(f, 0xffffffff);
    put32(f, 28);
    put32(f, 1);                    /* interface description */
    put32(f, 20);
    put16(f, 1);
    put16(f, 0);
    put32(f, PCAPFILE_MAX_RECORD);
    put32(f, 20);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pad = (4 - sizes[i] % 4) % 4, len = 32 + sizes[i] + pad;
        offsets[i] = (uint64_t)ftell(f);
        put32(f, 6);                /* enhanced packet block */
        put32(f, len);
        put32(f, 0);
        put32(f, 0);
        put32(f, 1000000u * i);
        put32(f, sizes[i]);
        put32(f, sizes[i]);
        put_body(f, i, sizes[i]);
        fwrite("\0\0\0", 1, pad, f);
        put32(f, len);
    }
    fclose(f);
}

static bool record_intact(const struct pcapfile_packet *p, uint32_t rec)
{
    if (p->caplen != sizes[rec] || p->pktno != rec + 1u)
        return false;
    for (uint32_t i = 0; i < p->caplen; i++)
        if (p->data[i] != byte_of(rec, i))
            return false;
    return true;
}

/* Every record, in order, as written, then the end. */
static void read_all(const char *path, uint32_t n, const char *what)
{
    char err[256];
    struct pcapfile *f = pcapfile_open(path, err, sizeof err);
    CHECKF(f != NULL, "%s: %s", what, err);
    if (!f)
        return;
    struct pcapfile_packet p;
    uint32_t got = 0, bad = 0;
    enum pcapfile_result r;
    while ((r = pcapfile_next(f, &p)) == PCAPFILE_PACKET) {
        if (got >= n || !record_intact(&p, got))
            bad++;
        got++;
    }
    CHECKF(r == PCAPFILE_END, "%s: %s", what, pcapfile_error(f));
    CHECKF(got == n, "%s: %u of %u records", what, got, n);
    CHECKF(bad == 0, "%s: %u records differ", what, bad);
    pcapfile_close(f);
}

/* Read to record `stop_after`, cut the file inside record `cut_rec`
 * (stop_after < cut_rec): at the first page boundary in its body, or, with
 * `in_header`, 8 bytes into its header (inside a page, whose rest then
 * reads as zeros without a fault); read on.  Returns 1 if the damage was
 * named as the file shrinking, 0 if as a short file (the cut came before
 * the window was mapped). */
static int read_shrinking(const char *path, uint32_t stop_after, uint32_t cut_rec, bool in_header)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t body = offsets[cut_rec] + 16, cut = (body + (uint64_t)page) & ~(uint64_t)(page - 1);
    if (in_header)
        cut = offsets[cut_rec] + 8;
    CHECK(cut < body + sizes[cut_rec]);
    char err[256];
    struct pcapfile *f = pcapfile_open(path, err, sizeof err);
    CHECKF(f != NULL, "%s", err);
    if (!f)
        return 0;
    struct pcapfile_packet p;
    enum pcapfile_result r = PCAPFILE_PACKET;
    uint32_t got = 0, bad = 0;
    while (got <= stop_after && (r = pcapfile_next(f, &p)) == PCAPFILE_PACKET)
        bad += !record_intact(&p, got++);
    CHECK(truncate(path, (off_t)cut) == 0);
    while ((r = pcapfile_next(f, &p)) == PCAPFILE_PACKET)
        bad += !record_intact(&p, got++);
    CHECKF(r == PCAPFILE_DAMAGED, "cut in record %u: reading ended %d", cut_rec + 1, (int)r);
    CHECKF(got == cut_rec, "cut in record %u: %u records handed out", cut_rec + 1, got);
    CHECKF(bad == 0, "cut in record %u: %u records differ", cut_rec + 1, bad);
    CHECKF(pcapfile_damage_recno(f) == cut_rec + 1u, "damage at %llu, cut in record %u",
           (unsigned long long)pcapfile_damage_recno(f), cut_rec + 1);
    CHECK(pcapfile_next(f, &p) == PCAPFILE_DAMAGED);    /* and it stays so */
    int vanished = strstr(pcapfile_error(f), "shrank") != NULL;
    CHECKF(vanished || strstr(pcapfile_error(f), "truncated") != NULL, "%s", pcapfile_error(f));
    pcapfile_close(f);
    return vanished;
}

int main(void)
{
    char dir[] = "/tmp/test_filemap.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[64];
    snprintf(path, sizeof path, "%s/c.pcap", dir);

    uint32_t n = 3000;      /* about 6 MB: several windows */
    choose_sizes(n, 0);
    write_pcap(path, n);
    read_all(path, n, "pcap");
    write_pcapng(path, n);
    read_all(path, n, "pcapng");

    /* Shrinking: records of at least two pages, so that a page boundary
     * falls inside each body; cuts just ahead of the reader, where the
     * window already maps the file. */
    n = 1500;
    choose_sizes(n, 2 * 4096);
    /* Most cuts fall inside the window the reader holds (a window spans
     * many records); only a cut past its end shows as a short file. */
    static const struct {
        void (*write)(const char *, uint32_t);
        bool in_header;
        const char *what;
    } kinds[] = {
        { write_pcap, false, "pcap, cut at a page boundary" },
        { write_pcap, true, "pcap, cut inside a page" },
        { write_pcapng, false, "pcapng, cut at a page boundary" },
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int vanished = 0, trials = 0;
        for (uint32_t at = 10; at + 3 < n; at += 97, trials++) {
            kinds[k].write(path, n);
            vanished += read_shrinking(path, at, at + 2, kinds[k].in_header);
        }
        CHECKF(vanished * 2 > trials, "%s: %d of %d cuts named as the file shrinking", kinds[k].what,
               vanished, trials);
    }

    unlink(path);
    rmdir(dir);
    return unit_done("filemap");
}
