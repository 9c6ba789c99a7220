/* main.c - tcpfsm: read packets, track connections, report.
 *
 * The data flows one way: capture -> decode -> tracker -> (census, report). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "census.h"
#include "decode.h"
#include "exitcodes.h"
#include "listeners.h"
#include "options.h"
#include "report.h"
#include "tracker.h"

#define MAX_LISTENERS 65536

static void on_retired_census(void *ctx, const struct conn *c, enum retire_reason why)
{
    (void)why;
    census_add(ctx, c);
}

int main(int argc, char **argv)
{
    struct options opt;
    switch (options_parse(argc, argv, &opt)) {
    case OPTIONS_EXIT_OK:
        return EXIT_ALL_READ;
    case OPTIONS_ERROR:
        options_free(&opt);
        return EXIT_USAGE;
    case OPTIONS_RUN:
        break;
    }

    char err[512];
    struct capture *cap = capture_open_file(opt.read_file, err, sizeof err);
    if (!cap) {
        fprintf(stderr, "tcpfsm: %s\n", err);
        options_free(&opt);
        return EXIT_USAGE;
    }
    int lt = capture_linktype(cap);
    if (lt >= 0 && !decode_link_supported(lt)) {
        fprintf(stderr, "tcpfsm: %s: unsupported link type %s; tcpfsm decodes Ethernet (with VLAN tags), "
                        "Linux cooked (SLL, SLL2), raw IP, BSD loopback, PPP, PPPoE and FDDI\n",
                capture_source(cap), capture_linktype_text(cap));
        capture_close(cap);
        options_free(&opt);
        return EXIT_USAGE;
    }
    if (!capture_set_filter(cap, opt.filter, err, sizeof err)) {
        fprintf(stderr, "tcpfsm: %s\n", err);
        capture_close(cap);
        options_free(&opt);
        return EXIT_USAGE;
    }

    struct listeners *listeners = listeners_create(MAX_LISTENERS);
    struct tracker *tr = tracker_create(&opt.tracker, listeners);
    struct report *rep = report_create(&opt.report, stdout);
    if (!listeners || !tr || !rep) {
        fprintf(stderr, "tcpfsm: out of memory\n");
        return EXIT_USAGE;
    }
    struct census census;
    census_init(&census);
    struct tracker_observer census_obs = { .ctx = &census, .retired = on_retired_census };
    tracker_add_observer(tr, &census_obs);
    struct tracker_observer report_obs = report_observer(rep);
    tracker_add_observer(tr, &report_obs);

    struct run_info info;
    memset(&info, 0, sizeof info);
    struct capture_packet pkt;
    enum capture_result rc;
    bool first = true;
    while ((rc = capture_next(cap, &pkt)) == CAPTURE_PACKET) {
        if (first) {
            info.first_ts = info.last_ts = pkt.ts;
            first = false;
        }
        if (pkt.ts < info.first_ts)
            info.first_ts = pkt.ts;
        if (pkt.ts > info.last_ts)
            info.last_ts = pkt.ts;
        info.wire_bytes += pkt.wirelen;
        struct segment seg;
        enum decode_outcome o = decode_packet(pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, &seg);
        info.outcome[o]++;
        if (o != DEC_TCP)
            continue;
        seg.ts = pkt.ts;
        seg.pktno = pkt.pktno;
        tracker_segment(tr, &seg);
    }
    tracker_finish(tr);

    info.exit_status = EXIT_ALL_READ;
    if (rc == CAPTURE_DAMAGED) {
        info.damage = capture_error(cap);
        info.damage_pkt = capture_error_pktno(cap);
        info.exit_status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the %llu packets before it\n",
                capture_source(cap), (unsigned long long)info.damage_pkt, info.damage,
                (unsigned long long)capture_records(cap));
    } else if (rc == CAPTURE_FAILED) {
        info.damage = capture_error(cap);
        info.damage_pkt = capture_records(cap);
        info.exit_status = EXIT_DAMAGED;
        fprintf(stderr, "tcpfsm: %s: packet %llu: %s; reporting the packets before it\n",
                capture_source(cap), (unsigned long long)info.damage_pkt, info.damage);
    }
    info.source = capture_source(cap);
    info.link = capture_linktype_text(cap);
    info.filter = opt.filter;
    info.records = capture_records(cap);
    info.filtered = capture_filtered(cap);
    info.cfg = &opt.tracker;
    info.stats = tracker_stats(tr);
    info.census = &census;
    info.listeners = listeners;

    int status = info.exit_status;
    if (!report_finish(rep, &info)) {
        fprintf(stderr, "tcpfsm: cannot write the report: output error\n");
        status = EXIT_OUTPUT;
    }

    report_destroy(rep);
    tracker_destroy(tr);
    listeners_destroy(listeners);
    capture_close(cap);
    options_free(&opt);
    return status;
}
