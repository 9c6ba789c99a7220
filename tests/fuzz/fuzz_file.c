/* tests/fuzz/fuzz_file.c - libFuzzer target: the input is a whole capture
 * file (pcap or pcapng), read the way tcpfsm reads one: capture_open_file
 * (src/pcapfile.c) on /proc/self/fd/N of a memfd holding the input, a BPF
 * filter for inputs whose size is a multiple of 5, then every packet through
 * decode_packet, the tracker, the analysis, every report format and the zeek
 * engine (tests/fuzz/pipeline.c); then the -w second pass (selection_write,
 * same filter) when the analysis chose connections, and the evidence file
 * it wrote must read back whole with as many packets as it says it wrote.
 * Inputs whose size is a multiple of 3 are read twice over as one capture
 * of two files (capture_open_files, as `-r F -r F`), through the change
 * from one file to the next.  Seeds are capture files as they are. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "decompress.h"
#include "exitcodes.h"
#include "extract.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];
static char outdir[64];
static char outpath[96];

static void setup(void)
{
    memfd = memfd_create("tcpfsm-fuzz", MFD_CLOEXEC);
    if (memfd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    const char *tmp = getenv("TMPDIR");
    snprintf(outdir, sizeof outdir, "%s/tcpfsm-fuzz-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(outdir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(outpath, sizeof outpath, "%s/evidence.pcap", outdir);
}

static void cleanup(void)
{
    unlink(outpath);
    rmdir(outdir);
}

static bool load(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0)
        return false;
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(memfd, data + done, size - done, (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        setup();
        atexit(cleanup);
    }
    /* Compressed data would be read through gzip, xz and the rest, run as
     * child processes: their parsing is not tcpfsm's to fuzz, and a crafted
     * stream can expand a few kilobytes into gigabytes of records.
     * (tests/cli/compressed.sh covers reading through them.) */
    if (compression_of(data, size) != COMPRESSION_NONE)
        return 0;
    if (!load(data, size))
        abort();

    char err[512];
    const char *paths[2] = { path, path };
    int npaths = size % 3 == 0 ? 2 : 1;
    struct capture *cap = capture_open_files(paths, NULL, npaths, err, sizeof err);
    if (!cap)
        return 0;
    /* As main.c: a pcap file of a link type decode_packet does not know is
     * refused before anything is read. */
    int lt = capture_linktype(cap);
    if (capture_single_linktype(cap) && lt >= 0 && !decode_link_supported(lt)) {
        capture_close(cap);
        return 0;
    }
    const char *filter = size % 5 == 0 ? "tcp or (ip6 and not udp)" : NULL;
    if (!capture_set_filter(cap, filter, err, sizeof err)) {
        capture_close(cap);
        return 0;
    }

    struct fz_config cfg;
    fz_config_small(&cfg);
    cfg.all = true;
    struct fz_run *r = fz_start(&cfg);
    if (!r) {
        capture_close(cap);
        return 0;
    }
    struct capture_packet pkt;
    enum capture_result rc;
    while ((rc = capture_next(cap, &pkt)) == CAPTURE_PACKET)
        fz_packet(r, pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, pkt.ts, pkt.pktno);

    struct fz_source src;
    memset(&src, 0, sizeof src);
    src.exit_status = EXIT_ALL_READ;
    if (rc == CAPTURE_DAMAGED) {
        src.damage = capture_error(cap);
        src.damage_pkt = capture_error_pktno(cap);
        src.exit_status = EXIT_DAMAGED;
    } else if (rc == CAPTURE_FAILED) {
        src.damage = capture_error(cap);
        src.damage_pkt = capture_error_pktno(cap);
        src.exit_status = EXIT_DAMAGED;
    }
    src.source = capture_source(cap);
    src.link = capture_linktype_text(cap);
    src.filter = filter;
    src.records = capture_records(cap);
    src.filtered = capture_filtered(cap);
    src.format = capture_format(cap);
    src.oversized = capture_oversized(cap);
    src.ts_clamped = capture_ts_clamped(cap);
    fz_finish(r, &src);

    /* -w: the second pass over the same file. */
    if (fz_selected(r) > 0) {
        uint64_t written = 0;
        if (selection_write(fz_selection(r), paths, NULL, npaths, filter, outpath, NULL, NULL, &written, err,
                            sizeof err)) {
            /* What tcpfsm writes, tcpfsm reads back whole. */
            struct capture *back = capture_open_file(outpath, err, sizeof err);
            if (!back) {
                fprintf(stderr, "fuzz invariant violated: the -w output does not open: %s\n", err);
                abort();
            }
            uint64_t n = 0;
            while ((rc = capture_next(back, &pkt)) == CAPTURE_PACKET)
                n++;
            if (rc != CAPTURE_END || n != written) {
                fprintf(stderr, "fuzz invariant violated: the -w output: %llu of %llu packets read back, %s\n",
                        (unsigned long long)n, (unsigned long long)written,
                        rc == CAPTURE_END ? "end" : capture_error(back));
                abort();
            }
            capture_close(back);
            unlink(outpath);
        }
    }
    fz_free(r);
    capture_close(cap);
    return 0;
}
