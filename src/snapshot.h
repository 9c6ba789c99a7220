/* snapshot.h - the live view without a terminal: one snapshot of the
 * model's view per --interval, as text or as one JSON object per line, for
 * systemd journals and jq. */
#ifndef TCPFSM_SNAPSHOT_H
#define TCPFSM_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* Print one snapshot; false on an output error. */
bool snapshot_print(FILE *out, bool json, const struct model_view *v, const struct model_source *src);

#endif
