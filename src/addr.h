/* addr.h - IPv4/IPv6 addresses as connection keys and as text. */
#ifndef TCPFSM_ADDR_H
#define TCPFSM_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An address of either family in 16 bytes.  IPv4 addresses are stored in the
 * first four bytes with the rest zero; the family travels beside them. */
struct flow_addr {
    uint8_t b[16];
    uint8_t family;         /* 4 or 6 */
};

/* Longest text form: IPv6 with embedded IPv4, plus NUL. */
#define ADDR_STRLEN 46

/* Text form: dotted quad, or RFC 5952 IPv6 (no brackets). */
const char *addr_format(const struct flow_addr *a, char buf[ADDR_STRLEN]);
/* The same into buf, which must have ADDR_STRLEN bytes of room; returns
 * its length (the NUL after it is written too). */
size_t addr_put(const struct flow_addr *a, char *buf);

/* Parse "192.0.2.1" or "2001:db8::1". */
bool addr_parse(const char *s, struct flow_addr *a);

static inline int addr_cmp(const struct flow_addr *x, const struct flow_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->b, y->b, x->family == 4 ? 4 : 16);
}

#endif
