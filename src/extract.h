/* extract.h - writing the evidence: the packets of chosen connections.
 *
 * Connections are chosen as they leave the tracker (those with anomalies, or
 * those named by --select: connection numbers or anomaly ids).  Each chosen
 * connection is remembered by its 4-tuple and time span; a second pass over
 * the input then writes every packet that belongs to one of them. */
#ifndef TCPFSM_EXTRACT_H
#define TCPFSM_EXTRACT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "conn.h"
#include "progress.h"

struct selection;

/* spec: NULL (every connection with an anomaly) or "ID[,ID...]" where each
 * ID is a connection number or an anomaly id.  NULL with err on a bad spec. */
struct selection *selection_create(const char *spec, uint32_t max, char *err, size_t errlen);
void selection_destroy(struct selection *s);
void selection_consider(struct selection *s, const struct conn *c, const struct analysis *an);
uint64_t selection_chosen(const struct selection *s);
uint64_t selection_not_kept(const struct selection *s);

/* Second pass: read the capture again (paths[0..npaths-1], named in
 * messages by names as capture_open_files()), through the same filter as
 * the first, and write the chosen connections' packets to out_path.  Returns false with err
 * set on failure, or once *stop is set (by a signal handler; NULL: never):
 * then nothing is written.  progress: a progress line to start again for
 * this pass (progress.h), or NULL. */
bool selection_write(struct selection *s, const char *const *paths, const char *const *names, int npaths,
                     const char *filter, const char *out_path, const volatile sig_atomic_t *stop,
                     struct progress *progress, uint64_t *written, char *err, size_t errlen);

#endif
