/* checksum.h - Internet checksums of a decoded segment's IPv4 and TCP headers.
 *
 * The decoder leaves pointers to the innermost IP header and to the TCP header
 * in struct segment, with the number of bytes captured from each.  These
 * functions verify the IPv4 header checksum and the TCP checksum (over the
 * IPv4 or IPv6 pseudo-header), reading the packet only through bytes.h.  A
 * checksum can be verified only if everything it covers was captured. */
#ifndef TCPFSM_CHECKSUM_H
#define TCPFSM_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"

enum checksum_result {
    CHECKSUM_OK = 0,
    CHECKSUM_BAD = 1,
    CHECKSUM_UNKNOWN = 2,   /* not (fully) captured, or not applicable */
};

/* One's complement sum of n bytes (a trailing odd byte is padded with zero),
 * added to sum; not folded or complemented. */
uint32_t checksum_add(const uint8_t *p, size_t n, uint32_t sum);
/* Fold a 32-bit partial sum to 16 bits. */
uint16_t checksum_fold(uint32_t sum);

/* IPv4 header checksum of the segment's innermost IP header.  IPv6 has no
 * header checksum: CHECKSUM_UNKNOWN. */
enum checksum_result checksum_ipv4_header(const struct segment *seg);

/* TCP checksum over the pseudo-header, the TCP header and the payload, whose
 * length comes from the IP header.  CHECKSUM_UNKNOWN unless the whole segment
 * was captured. */
enum checksum_result checksum_tcp(const struct segment *seg);

#endif
