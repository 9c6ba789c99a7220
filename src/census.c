/* census.c - counting final states. */
#include "census.h"

#include <string.h>

void census_init(struct census *c)
{
    memset(c, 0, sizeof *c);
}

bool conn_clean(const struct conn *c)
{
    for (int r = 0; r < 2; r++) {
        const struct conn_end *e = &c->ep[r];
        if (!(e->flags & EPF_FIN) || (e->flags & EPF_RST))
            return false;
        if (e->state != ST_CLOSED && e->state != ST_TIME_WAIT)
            return false;
    }
    return true;
}

void census_add(struct census *c, const struct conn *conn)
{
    c->conns++;
    for (int r = 0; r < 2; r++) {
        c->state[r][conn->ep[r].state]++;
        if (conn->ep[r].flags & EPF_INFERRED)
            c->inferred[r]++;
    }
    if (conn_clean(conn))
        c->clean++;
    if (conn->node.key.family == 6)
        c->ipv6++;
}
