/* options.h - the command line. */
#ifndef TCPFSM_OPTIONS_H
#define TCPFSM_OPTIONS_H

#include <stdbool.h>

#include "analysis.h"
#include "report.h"
#include "tracker.h"
#include "zeekconn.h"

struct options {
    const char *read_file;      /* -r FILE: the first */
    const char **read_files;    /* every -r FILE, in order: read as one capture */
    int nread;
    const char *write_file;     /* -w FILE: evidence packets */
    const char *output_file;    /* -o FILE: the report (NULL: standard output) */
    const char *select;         /* --select ID[,ID...] */
    char *filter;               /* trailing words, joined; NULL if none */
    struct report_options report;
    struct tracker_config tracker;
    bool zeek_format;           /* --format zeek: a Zeek conn.log instead */
    struct zeek_config zeek;
    struct analysis_config analysis;
    int threads;                /* --threads N: 1 or 2; 0: the default */
    int progress;               /* --progress 1, --no-progress -1; 0: on a terminal (main.c) */
    int dedupe;                 /* --dedupe 1, --no-dedupe -1; 0: "any" captures only (dedupe.h) */
    /* the live view (live.c): -i, -D, -p, -s, -Z, --ui, --no-ui, --speed,
     * --refresh, --interval */
    const char *iface;          /* -i IFACE: capture live */
    bool list_ifaces;           /* -D */
    bool no_promisc;            /* -p */
    uint32_t snaplen;           /* -s SNAPLEN; 0: the default */
    const char *user;           /* -Z USER; NULL: the default */
    uint32_t buffer_kib;        /* -B KIB: kernel buffer; 0: the default */
    bool ui, no_ui;             /* --ui, --no-ui */
    double speed;               /* --speed X; 0: as fast as possible */
    uint32_t refresh_ms;        /* --refresh MS; 0: the default */
    tstamp_t interval;          /* --interval SECONDS; 0: the default */
};

enum options_result {
    OPTIONS_RUN,                /* go on */
    OPTIONS_EXIT_OK,            /* --help or --version printed */
    OPTIONS_ERROR,              /* message printed; exit with EXIT_USAGE */
};

enum options_result options_parse(int argc, char **argv, struct options *o);
void options_free(struct options *o);

#endif
