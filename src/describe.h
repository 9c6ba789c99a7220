/* describe.h - anomalies in words: one line of detail for each occurrence,
 * shared by the text report, the JSON "detail" field and the live view. */
#ifndef TCPFSM_DESCRIBE_H
#define TCPFSM_DESCRIBE_H

#include <stddef.h>

#include "analysis.h"
#include "anomaly.h"
#include "conn.h"

/* "client" / "server" / "-" */
const char *role_name(int who);
/* The detail of a connection's anomaly, e.g. "server in CLOSE_WAIT for
 * 14m02s"; now is the time the picture is taken. */
void describe_anomaly(const struct anomaly *a, const struct conn *c, tstamp_t now, char *buf, size_t len);
struct line;
/* The same, appended to a line being built, without printf's format
 * parsing: the JSON report writes one for every anomaly. */
void describe_anomaly_line(const struct anomaly *a, const struct conn *c, tstamp_t now, struct line *l);
/* The detail of a service-level anomaly. */
void describe_service_anomaly(const struct service_anomaly *s, uint32_t ephemeral_ports, char *buf,
                              size_t len);

#endif
