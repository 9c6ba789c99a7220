/* addr.c - address formatting. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

/* Both forms are written by hand: every connection line of a report holds
 * two addresses, and inet_ntop() formats each byte of an IPv4 address with
 * sprintf(), which made it a tenth of a JSON run.  The output is the same as
 * glibc's inet_ntop() (the algorithm of RFC 5952 as BIND wrote it),
 * including its choices: the first of two equally long runs of zero groups
 * is the one compressed, a single zero group is not, and an address whose
 * first 96 bits are zero (but not "::" or "::1") or that is IPv4-mapped ends
 * in a dotted quad. */

static char *put_dec_u8(char *p, unsigned v)
{
    if (v >= 100) {
        *p++ = (char)('0' + v / 100);
        v %= 100;
        *p++ = (char)('0' + v / 10);
        v %= 10;
    } else if (v >= 10) {
        *p++ = (char)('0' + v / 10);
        v %= 10;
    }
    *p++ = (char)('0' + v);
    return p;
}

static char *put_quad(char *p, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_dec_u8(p, b[i]);
    }
    return p;
}

static char *put_hex_u16(char *p, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            *p++ = hex[d];
            started = true;
        }
    }
    return p;
}

size_t addr_put(const struct flow_addr *a, char *buf)
{
    char *p = buf;
    if (a->family == 4) {
        p = put_quad(p, a->b);
        *p = 0;
        return (size_t)(p - buf);
    }
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
    /* the longest run of zero groups, the first if two are as long */
    int best = -1, best_len = 0, cur = -1, cur_len = 0;
    for (int i = 0; i < 8; i++) {
        if (w[i] == 0) {
            if (cur < 0)
                cur = i, cur_len = 0;
            cur_len++;
            if (cur_len > best_len)
                best = cur, best_len = cur_len;
        } else {
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            p = put_quad(p, a->b + 12);
            break;
        }
        p = put_hex_u16(p, w[i]);
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p = 0;
    return (size_t)(p - buf);
}

const char *addr_format(const struct flow_addr *a, char buf[ADDR_STRLEN])
{
    addr_put(a, buf);
    return buf;
}

bool addr_parse(const char *s, struct flow_addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, s, a->b) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, a->b) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}
