/* zeekconn.h - an emulation of Zeek's TCP connection tracking, written as a
 * Zeek conn.log.
 *
 * Fed one decoded packet at a time, in capture order, it keeps Zeek's view of
 * every TCP connection: the originator (with the likely_server_ports flip and
 * the later H -> ^h and SYN/SYN-ACK flips), both endpoints' states, the
 * history letters, sequence-space byte counts, packet counts, content gaps,
 * connection reuse and Zeek's timers (attempt, expire, delete, inactivity),
 * which fire before the packet whose time reaches them.  A connection is
 * written when Zeek would remove it, with the conn_state Zeek's scripts
 * compute.  The rules are those of Zeek's TCPSessionAdapter, TCP_Endpoint,
 * TCP_Reassembler and conn/main.zeek; the comments in zeekconn.c name them.
 *
 * Only TCP is tracked; other packets still advance network time.  IPv4
 * fragments are reassembled first, as Zeek does. */
#ifndef TCPFSM_ZEEKCONN_H
#define TCPFSM_ZEEKCONN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "segment.h"

struct capture;

struct zeek_config {
    bool verify_checksums;      /* as Zeek without -C */
    uint32_t max_conns;         /* most connections held; the oldest is logged early */
    uint64_t server_ports[65536 / 64];  /* likely_server_ports (TCP), a bitmap */
};

/* Zeek's default-mode TCP likely_server_ports, checksums not verified. */
void zeek_config_defaults(struct zeek_config *cfg);
/* Replace the likely_server_ports: "21,22,80", "none", or with "default"
 * standing for Zeek's default set ("default,111").  On error writes a
 * message into err and returns false. */
bool zeek_config_set_ports(struct zeek_config *cfg, const char *list, char *err, size_t errlen);

struct zeek;

/* NULL if memory is short. */
struct zeek *zeek_create(const struct zeek_config *cfg, FILE *out);
/* One packet, in capture order.  seg is used when o is DEC_TCP (or
 * DEC_BAD_TCP, which Zeek still turns into a connection). */
void zeek_packet(struct zeek *z, tstamp_t ts, enum decode_outcome o, const struct segment *seg);
/* End of input: run the timers Zeek runs at termination, log every remaining
 * connection and the #close line.  False on an output error. */
bool zeek_finish(struct zeek *z);
void zeek_destroy(struct zeek *z);

/* Read every packet of an open capture and write the conn.log to out.
 * Returns the process exit status (exitcodes.h); EXIT_OUTPUT when the
 * conn.log could not be written, which the caller reports (errno then
 * says why, or is 0 if the stream did not tell: out_flushed()). */
/* stop: set (by a signal handler) to end the reading early; what was read
 * is written and EXIT_INTERRUPTED returned.  NULL: read to the end. */
int zeek_run(struct capture *cap, const struct zeek_config *cfg, FILE *out, const volatile sig_atomic_t *stop);

#endif
