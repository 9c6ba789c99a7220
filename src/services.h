/* services.h - per service (server address and port) statistics.
 *
 * A view fed with every connection as it leaves the tracker: connections,
 * handshake outcomes and round trips, the endpoint states at the end, and
 * anomalies by id.  Bounded: past its maximum, further services are counted
 * as not recorded. */
#ifndef TCPFSM_SERVICES_H
#define TCPFSM_SERVICES_H

#include <stdint.h>

#include "analysis.h"
#include "conn.h"
#include "connview.h"
#include "hist.h"
#include "smalltab.h"

struct service_key {
    uint8_t addr[16];
    uint8_t family, pad;
    uint16_t port;
};

struct service {
    struct service_key key;
    struct flow_addr addr;
    uint16_t port;
    uint64_t conns;
    uint64_t completed, refused, unanswered, half_open;
    uint64_t state[2][ST__COUNT];
    uint32_t anomalies[AN__COUNT];
    uint32_t severity;          /* summed severity of its anomalies, for sorting */
    struct hist *rtt;           /* allocated with the first handshake measured */
    tstamp_t first, last;
};

struct services {
    struct smalltab tab;
};

bool services_init(struct services *s, uint32_t max);
void services_destroy(struct services *s);
/* A connection leaving the tracker, counted for its server's service. */
void services_add(struct services *s, const struct conn_view *cv);
/* The services sorted: most anomalous first, then most connections.  The
 * array is allocated; the caller frees it. */
struct service **services_sorted(struct services *s, uint32_t *n);

#endif
