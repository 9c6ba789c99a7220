/* addr.c - address formatting. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

const char *addr_format(const struct flow_addr *a, char buf[ADDR_STRLEN])
{
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, ADDR_STRLEN))
        snprintf(buf, ADDR_STRLEN, "?");
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
