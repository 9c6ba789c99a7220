/* decode.h - from captured bytes to a TCP segment.
 *
 * decode_packet() walks link layer -> (tunnels) -> IPv4/IPv6 -> TCP with
 * bounds-checked reads only, and either fills a struct segment or says, with
 * one reason, why the packet is not a usable TCP segment.  Every packet gets
 * exactly one outcome, so the counts add up to the packets read. */
#ifndef TCPFSM_DECODE_H
#define TCPFSM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "segment.h"

enum decode_outcome {
    DEC_TCP = 0,            /* a TCP segment (possibly with header cut short) */
    /* ignored: well-formed, just not TCP we can track */
    DEC_NOT_IP,             /* link payload is not IP (ARP, LLDP, STP, ...) */
    DEC_NOT_TCP,            /* IP, but UDP, ICMP, ... */
    DEC_IP_FRAGMENT,        /* a fragment of an IP datagram reassembled (reasm.h;
                               the datagram counts once, at the fragment that
                               completed it) */
    DEC_ENCRYPTED,          /* IPsec ESP: the transport header is encrypted */
    DEC_UNSUPPORTED_LINK,   /* a link type (or pcapng interface) we cannot decode */
    DEC_DUPLICATE,          /* the same packet again, from another interface
                               of a capture on "any" (see dedupe.h) */
    DEC_IP_FRAGMENT_LOST,   /* a fragment of an IP datagram never completed
                               (a fragment not captured, or overlapping ones;
                               reasm.h): its segment was not analysed */
    DEC_BAD_FCS,            /* an 802.11 frame its radio header marks as
                               received damaged (bad FCS): never delivered */
    DEC_ICMP_ERROR,         /* an ICMP or ICMPv6 error quoting a TCP segment:
                               the segment's fields, with seg->icmp set; the
                               tracker applies it to the segment's connection */
    /* malformed or cut short */
    DEC_TRUNC_LINK,         /* link-layer header cut short */
    DEC_BAD_LINK,           /* a link-layer header whose own fields are
                               impossible (a radiotap length below its
                               minimum, an unknown version, ...) */
    DEC_TRUNC_IP,           /* IP header cut short */
    DEC_TRUNC_TCP,          /* fewer than 14 TCP header bytes: no flags */
    DEC_BAD_IP,             /* bad version, header length or total length */
    DEC_BAD_IPV6_EXT,       /* IPv6 extension header chain malformed or too long */
    DEC_BAD_TCP,            /* data offset below 5 or past the IP payload */
    DEC_TUNNEL_DEPTH,       /* more nested tunnels than we follow */
    DEC_NO_INTERFACE,       /* pcapng packet naming an undefined interface */
    DEC__COUNT
};

/* Stable snake_case name, used in reports ("truncated_tcp", ...). */
const char *decode_outcome_name(enum decode_outcome o);
/* One-line explanation for the text report. */
const char *decode_outcome_text(enum decode_outcome o);
/* True for the "malformed or cut short" half of the outcomes. */
bool decode_outcome_malformed(enum decode_outcome o);

/* True if decode_packet understands this DLT_ link type. */
bool decode_link_supported(int dlt);

/* Decode one captured packet.  caplen bytes are present at data; wirelen is
 * the packet's length on the wire.  Fills *seg except ts/pktno. */
enum decode_outcome decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
                                  uint32_t wirelen, struct segment *seg);

/* Decode an IPv4 or IPv6 datagram put together from fragments (reasm.c):
 * `encap` and `depth` are the tunnels outside it, as the decoding of its
 * fragments found them (segment.frag_encap, frag_depth). */
enum decode_outcome decode_ip_datagram(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                                       uint64_t encap, int depth, struct segment *seg);

#endif
