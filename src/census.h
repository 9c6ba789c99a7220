/* census.h - what the connections came to: endpoint states and outcomes.
 *
 * An observer of the tracker that counts each retired connection's final
 * endpoint states by role (the `netstat | awk` table, for both ends of every
 * connection) and a few outcomes.  Reports read it; it never changes the
 * model. */
#ifndef TCPFSM_CENSUS_H
#define TCPFSM_CENSUS_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "tcpstate.h"
#include "tracker.h"

struct census {
    uint64_t state[2][ST__COUNT];   /* [CLIENT/SERVER][state] */
    uint64_t inferred[2];           /* endpoints whose state is a guess */
    uint64_t conns;
    uint64_t clean;                 /* ended by FINs both ways, no reset */
    uint64_t ipv6;
};

void census_init(struct census *c);
void census_add(struct census *c, const struct conn *conn);
/* Did the connection end cleanly: both FINs, no RST, both ends closed or in
 * TIME_WAIT? */
bool conn_clean(const struct conn *c);

#endif
