/* tests/fuzz/pipeline.h - the whole of tcpfsm after the capture reader, for
 * the fuzz targets and their replay driver.
 *
 * One run: decode_packet -> tracker (with analysis and listeners) -> census,
 * services, --select -> text, JSON and CSV reports at once, and beside them
 * the Zeek conn.log engine on the same decoded packets.  The text report
 * goes to /dev/null; JSON, CSV and the conn.log go to memory.  Everything
 * is freed at the end.  The run checks invariants that must hold for any
 * input (packet and connection accounting; the outputs well formed, see
 * outcheck.h) and abort()s when one does not, so the fuzzer reports it like
 * a crash. */
#ifndef TCPFSM_FUZZ_PIPELINE_H
#define TCPFSM_FUZZ_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "segment.h"

struct fz_config {
    uint32_t max_conns;         /* tracker, analysis, zeek and --select tables */
    uint32_t max_anomalies;
    tstamp_t msl, idle_timeout, linger;
    tstamp_t stuck_after, slow_handshake, idle_after;
    uint32_t flood_rate, pileup;
    bool all;                   /* text: --all */
    uint32_t examples;          /* text: --examples */
    const char *select;         /* --select spec, or NULL: any anomaly */
    bool zeek;                  /* run the zeek engine on the same packets */
    bool zeek_verify;           /* --zeek-verify-checksums */
    const char *zeek_ports;     /* --zeek-server-ports, or NULL */
};

/* Small tables, so that eviction, pool exhaustion and "not recorded" paths
 * run on inputs of a few packets. */
void fz_config_small(struct fz_config *cfg);

struct fz_run;

/* NULL only when memory is short (the targets then return). */
struct fz_run *fz_start(const struct fz_config *cfg);
/* One packet, in capture order. */
void fz_packet(struct fz_run *r, int linktype, const uint8_t *data, uint32_t caplen,
               uint32_t wirelen, tstamp_t ts, uint64_t pktno);

/* What the capture reader knows, for the reports' summary (any may be 0). */
struct fz_source {
    const char *source, *link, *filter, *format, *damage;
    uint64_t records, filtered, oversized, ts_clamped, damage_pkt;
    int exit_status;
};

/* End of input: tracker_finish, analysis_finish, every report's summary,
 * the zeek engine's end; then the invariants are checked. */
void fz_finish(struct fz_run *r, const struct fz_source *src);
/* Connections --select chose (for the -w second pass). */
uint64_t fz_selected(const struct fz_run *r);
struct selection *fz_selection(struct fz_run *r);
void fz_free(struct fz_run *r);

/* A stream that discards what is written to it (opened once). */
FILE *fz_devnull(void);

#endif
