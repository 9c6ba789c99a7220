/* livecap.h - live capture from a network interface, through libpcap.
 *
 * Opens the interface with pcap_create/pcap_activate (promiscuous unless
 * asked not to, a large kernel buffer, nanosecond timestamps where the
 * kernel gives them), applies the BPF filter, and hands out packets without
 * blocking, so one thread can poll the capture and the keyboard together.
 * Errors come back as one sentence for the user.
 *
 * Packets are delivered in batches, not one by one: the kernel fills a
 * block of its ring and wakes the reader when the block is full or
 * latency_ms has passed (libpcap's timeout; TPACKET_V3 on Linux).  In
 * immediate mode every packet woke the reader, one poll() and one return
 * to user space per packet: 2.36 s of CPU for a million packets at 185,000
 * a second, against tcpdump's 0.11 s (docs/performance.md, "Live capture").
 * A view redrawn every second does not need its packets sooner. */
#ifndef TCPFSM_LIVECAP_H
#define TCPFSM_LIVECAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

#define LIVECAP_DEFAULT_SNAPLEN 512
#define LIVECAP_BUFFER_BYTES (64u << 20)

struct livecap_config {
    const char *iface;      /* "any" for all interfaces */
    const char *filter;     /* BPF filter, or NULL */
    bool promisc;
    uint32_t snaplen;       /* 0: LIVECAP_DEFAULT_SNAPLEN */
    uint32_t buffer_kib;    /* kernel buffer; 0: LIVECAP_BUFFER_BYTES */
    uint32_t latency_ms;    /* the longest a packet waits in the kernel's
                             * buffer before delivery; 0: LIVECAP_LATENCY_MS */
};

#define LIVECAP_LATENCY_MS 100

struct livecap_stats {
    uint64_t received;      /* packets the filter accepted (ps_recv) */
    uint64_t kernel_drops;  /* ps_drop, accumulated past 32-bit wrap */
    uint64_t if_drops;      /* ps_ifdrop, likewise */
};

struct livecap;

/* NULL on failure, with one sentence in err. */
struct livecap *livecap_open(const struct livecap_config *cfg, char *err, size_t errlen);
void livecap_close(struct livecap *l);
/* A descriptor to poll for readability. */
int livecap_fd(const struct livecap *l);
int livecap_linktype(const struct livecap *l);
const char *livecap_linktype_text(const struct livecap *l);
uint32_t livecap_snaplen(const struct livecap *l);

/* Hand up to max packets already captured to fn, without waiting.  Returns
 * how many, or -1 if the capture failed (see livecap_error). */
int livecap_dispatch(struct livecap *l, int max, void (*fn)(void *ctx, const struct capture_packet *pkt),
                     void *ctx);
const char *livecap_error(const struct livecap *l);
/* The counters so far (false if libpcap cannot give them). */
bool livecap_stats(struct livecap *l, struct livecap_stats *st);

/* -D: the interfaces that can be captured on, one a line, numbered. */
bool livecap_list(FILE *out, char *err, size_t errlen);

#endif
