/* capture.h - packets from a capture file (pcap or pcapng) through libpcap.
 *
 * Wraps libpcap so the rest of tcpfsm sees numbered packets with nanosecond
 * timestamps, a BPF filter applied with the count of what it rejected, and
 * errors phrased for the user (file name and packet number). */
#ifndef TCPFSM_CAPTURE_H
#define TCPFSM_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "segment.h"

struct capture_packet {
    const uint8_t *data;
    uint32_t caplen;        /* bytes captured */
    uint32_t wirelen;       /* bytes on the wire */
    tstamp_t ts;
    uint64_t pktno;         /* 1-based record number in the file */
};

enum capture_result {
    CAPTURE_PACKET = 1,     /* *pkt filled */
    CAPTURE_END = 0,        /* clean end of input */
    CAPTURE_DAMAGED = -1,   /* the input is damaged here; see capture_error() */
};

struct capture;

/* Open a capture file ("-" for standard input).  On failure returns NULL and
 * writes one sentence naming the file and the problem into err. */
struct capture *capture_open_file(const char *path, char *err, size_t errlen);
/* Compile and apply a BPF filter; false with err set if it does not compile. */
bool capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen);

enum capture_result capture_next(struct capture *c, struct capture_packet *pkt);
/* After CAPTURE_DAMAGED: what went wrong, without file name or packet. */
const char *capture_error(const struct capture *c);

int capture_datalink(const struct capture *c);
/* "EN10MB (Ethernet)" */
const char *capture_datalink_text(const struct capture *c);
const char *capture_source(const struct capture *c);
uint64_t capture_records(const struct capture *c);      /* records read */
uint64_t capture_filtered(const struct capture *c);     /* rejected by the filter */
uint64_t capture_wire_bytes(const struct capture *c);   /* of records passing the filter */
void capture_close(struct capture *c);

#endif
