/* bytes.h - bounds-checked reads of packet bytes.
 *
 * Packets are hostile input.  Every byte tcpfsm reads from a packet goes
 * through one of these accessors, which take a view (pointer + length of what
 * was actually captured) and an offset, and refuse to read outside the view.
 * A refused read returns false; the caller turns that into a counted
 * "truncated" reason instead of trusting the bytes.  There is deliberately no
 * unchecked way to read a view's contents. */
#ifndef TCPFSM_BYTES_H
#define TCPFSM_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bytes {
    const uint8_t *p;   /* first byte of the view */
    size_t len;         /* bytes available (captured), never more */
};

static inline struct bytes bytes_make(const uint8_t *p, size_t len)
{
    struct bytes b = { p, len };
    return b;
}

/* True if [off, off+n) lies inside the view; written so it cannot overflow. */
static inline bool bytes_has(struct bytes b, size_t off, size_t n)
{
    return off <= b.len && n <= b.len - off;
}

/* The sub-view starting at off (empty if off is past the end). */
static inline struct bytes bytes_from(struct bytes b, size_t off)
{
    if (off >= b.len)
        return bytes_make(b.p + b.len, 0);
    return bytes_make(b.p + off, b.len - off);
}

/* The first n bytes of b (all of b if it is shorter). */
static inline struct bytes bytes_prefix(struct bytes b, size_t n)
{
    return bytes_make(b.p, n < b.len ? n : b.len);
}

static inline bool bytes_u8(struct bytes b, size_t off, uint8_t *v)
{
    if (!bytes_has(b, off, 1))
        return false;
    *v = b.p[off];
    return true;
}

/* Network byte order (big-endian) reads. */
static inline bool bytes_be16(struct bytes b, size_t off, uint16_t *v)
{
    if (!bytes_has(b, off, 2))
        return false;
    *v = (uint16_t)((unsigned)b.p[off] << 8 | b.p[off + 1]);
    return true;
}

static inline bool bytes_be32(struct bytes b, size_t off, uint32_t *v)
{
    if (!bytes_has(b, off, 4))
        return false;
    *v = (uint32_t)b.p[off] << 24 | (uint32_t)b.p[off + 1] << 16 |
         (uint32_t)b.p[off + 2] << 8 | (uint32_t)b.p[off + 3];
    return true;
}

/* Little-endian reads: the BSD loopback header's family (written in the
 * capturing machine's order), radiotap, PPI, PKTAP and NFLOG's fields. */
static inline bool bytes_le16(struct bytes b, size_t off, uint16_t *v)
{
    if (!bytes_has(b, off, 2))
        return false;
    *v = (uint16_t)((unsigned)b.p[off + 1] << 8 | b.p[off]);
    return true;
}

static inline bool bytes_le32(struct bytes b, size_t off, uint32_t *v)
{
    if (!bytes_has(b, off, 4))
        return false;
    *v = (uint32_t)b.p[off + 3] << 24 | (uint32_t)b.p[off + 2] << 16 |
         (uint32_t)b.p[off + 1] << 8 | (uint32_t)b.p[off];
    return true;
}

/* Copy n bytes out of the view. */
static inline bool bytes_copy(struct bytes b, size_t off, void *dst, size_t n)
{
    if (!bytes_has(b, off, n))
        return false;
    const uint8_t *s = b.p + off;
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return true;
}

#endif
