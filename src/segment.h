/* segment.h - a decoded TCP segment: what the decoder hands to the tracker.
 *
 * The decoder fills one of these per packet (on the stack; nothing is
 * allocated).  Everything the tracker needs is here; the tracker never looks at
 * packet bytes. */
#ifndef TCPFSM_SEGMENT_H
#define TCPFSM_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* Capture time: nanoseconds since the Unix epoch. */
typedef int64_t tstamp_t;
#define TS_PER_SEC 1000000000LL
#define TS_PER_MS 1000000LL

/* TCP header flags (byte 13 of the header). */
enum {
    TH_FIN = 0x01,
    TH_SYN = 0x02,
    TH_RST = 0x04,
    TH_PSH = 0x08,
    TH_ACK = 0x10,
    TH_URG = 0x20,
    TH_ECE = 0x40,
    TH_CWR = 0x80,
};

/* Which TCP options were present (segment.opts). */
enum {
    OPT_MSS = 0x01,
    OPT_WSCALE = 0x02,
    OPT_SACK_PERM = 0x04,
    OPT_SACK = 0x08,
    OPT_TIMESTAMP = 0x10,
    OPT_TRUNCATED = 0x20, /* option list cut short by the snapshot length */
    OPT_MALFORMED = 0x40, /* an option's length field ran past the header */
};

#define SEG_MAX_SACK 4

/* An ICMP or ICMPv6 error quoting a TCP segment (segment.icmp): its kind in
 * the low bits, and whether it came from the segment's destination itself
 * (else from a router on the path) and whether the quote held the TCP
 * flags and acknowledgement number (RFC 792 promises only the first 8
 * bytes: ports and sequence number).  The segment's fields are the quoted
 * segment's: sent by src to dst. */
enum icmp_kind {
    ICMPK_NONE = 0,
    ICMPK_NET_UNREACH,      /* network unreachable (v4 0, 6, 11; v6 no route) */
    ICMPK_HOST_UNREACH,     /* host unreachable (v4 1, 7, 8, 12; v6 address unreachable) */
    ICMPK_PROTO_UNREACH,    /* protocol unreachable (v4 2) */
    ICMPK_PORT_UNREACH,     /* port unreachable (v4 3, v6 4) */
    ICMPK_ADMIN,            /* administratively prohibited (v4 9, 10, 13-15; v6 1, 5, 6) */
    ICMPK_UNREACH_OTHER,    /* another destination unreachable (v4 5; v6 2, 7) */
    ICMPK_TIME_EXCEEDED,    /* time exceeded (v4 type 11, v6 type 3) */
    ICMPK_PARAM_PROBLEM,    /* parameter problem (v4 type 12, v6 type 4) */
    ICMPK__COUNT
};
#define ICMPK_KIND_MASK 0x0f
#define ICMPK_FROM_DEST 0x80    /* sent by the quoted segment's destination */
#define ICMPK_HAVE_FLAGS 0x40   /* the quote held the flags and the ACK number */
const char *icmp_kind_name(unsigned kind);

/* What the tracker and everything after it (analysis, history, the live
 * view's packet ring) read of a segment: the decoder's other fields serve
 * the key, checksums, fragments and evidence, and stay with the decoder.
 * The reading stage of -r hands over only this (src/feed.c), so it is kept
 * small.  In struct segment the same fields are reachable both as
 * seg.core and directly (seg.ts), through an anonymous struct of the same
 * members. */
#define SEGMENT_CORE_FIELDS                                                        \
    tstamp_t ts;                                                                   \
    uint64_t pktno;         /* 1-based position in the capture */                  \
    uint32_t seq, ack;                                                             \
    uint32_t payload_len;   /* TCP payload on the wire, from the IP length */      \
    uint16_t sport, dport;                                                         \
    uint16_t win;           /* raw window field (unscaled) */                      \
    uint8_t flags;          /* TH_* */                                             \
    uint8_t opts;           /* OPT_* */                                            \
    uint8_t wscale;         /* valid if OPT_WSCALE */                              \
    bool have_win;          /* window field was captured */                        \
    uint8_t icmp;           /* 0: a TCP segment; else an ICMP error about the      \
                               segment described (ICMPK_*, src/decode.c) */

struct seg_core {
    SEGMENT_CORE_FIELDS
};

struct segment {
    union {
        struct seg_core core;
        struct {
            SEGMENT_CORE_FIELDS
        };
    };
    struct flow_addr src, dst;
    uint8_t hdr_len;        /* TCP header length from the data offset, bytes */
    uint32_t ip_len;        /* IP datagram length on the wire */
    uint16_t ip_id;         /* IPv4 identification (0 for IPv6) */
    bool hdr_truncated;     /* TCP header (options) cut by the snapshot length */
    bool ip_first_frag;     /* first fragment: payload_len covers only it */
    uint8_t frag_depth;     /* how many tunnels are outside frag_ip */
    uint16_t mss;           /* valid if OPT_MSS */
    uint32_t tsval, tsecr;  /* valid if OPT_TIMESTAMP */
    uint8_t nsack;          /* SACK blocks kept (at most SEG_MAX_SACK) */
    uint32_t sack[SEG_MAX_SACK][2];
    /* Where the innermost IP header and the TCP header begin in the packet,
     * and how many bytes were captured from there: for checksums and for
     * writing evidence.  Valid only while the packet's buffer is. */
    const uint8_t *ip_hdr;
    uint32_t ip_caplen;
    uint16_t ip_hdr_len;    /* IPv4 header length incl. options; 40 for IPv6 */
    const uint8_t *tcp_hdr;
    uint32_t tcp_caplen;
    /* The outermost IP header of a fragment (first or later), for
     * reassembly: NULL if no IP layer of the packet is a fragment.
     * frag_caplen bytes were captured of its frag_len.  For IPv6, where
     * the fragment header begins (after the extension headers that are
     * not fragmented), and where the next-header value naming it is. */
    const uint8_t *frag_ip;
    uint32_t frag_caplen, frag_len;
    uint16_t frag_v6_hdr, frag_v6_nh;
    uint64_t frag_encap;    /* the tunnels outside that header (see encap) */
    /* The tunnels the packet came through, folded into one value that does
     * not depend on the packet's direction: 0 if none. */
    uint64_t encap;
};

#endif
