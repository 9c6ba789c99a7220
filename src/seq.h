/* seq.h - TCP sequence number arithmetic (RFC 793 section 3.3, RFC 1982).
 *
 * Sequence numbers live on a 32-bit circle.  a < b means b is ahead of a by
 * less than half the circle; the casts make the subtraction wrap. */
#ifndef TCPFSM_SEQ_H
#define TCPFSM_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

/* lo <= s < hi on the circle (hi - lo must be below 2^31). */
static inline bool seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
    return seq_geq(s, lo) && seq_lt(s, hi);
}

#endif
