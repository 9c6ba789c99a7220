/* pcapwrite.h - writing a pcap file atomically.
 *
 * The file is written under a temporary name in the same directory and
 * renamed over the final name only when complete, so an interrupted run
 * never leaves a half-written file under the name the user asked for. */
#ifndef TCPFSM_PCAPWRITE_H
#define TCPFSM_PCAPWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "segment.h"

struct pcapwrite;

/* Start writing path with the given LINKTYPE_ and snapshot length (the file
 * header is written at once).  NULL with err set on failure. */
struct pcapwrite *pcapwrite_open(const char *path, int linktype, uint32_t snaplen, char *err, size_t errlen);
bool pcapwrite_packet(struct pcapwrite *w, tstamp_t ts, const uint8_t *data, uint32_t caplen, uint32_t wirelen);
uint64_t pcapwrite_count(const struct pcapwrite *w);
/* Finish: flush, sync and rename into place.  false with err set on failure
 * (the temporary file is removed). */
bool pcapwrite_commit(struct pcapwrite *w, char *err, size_t errlen);
/* Give up: remove the temporary file. */
void pcapwrite_abort(struct pcapwrite *w);
/* Remove the temporary file of an unfinished write (from a signal handler:
 * async-signal-safe). */
void pcapwrite_cleanup_on_signal(void);
/* Have pcapwrite_cleanup_on_signal() remove path too (a temporary file of
 * the caller's); returns a slot for cleanup_untrack(), 0 if none was free.
 * Call with signals blocked from creating the file until this returns. */
int cleanup_track(const char *path);
void cleanup_untrack(int slot);

/* The same, for any output file: write to a temporary name, rename on
 * commit. */
struct atomic_file {
    char *path, *tmp;
    void *fp;               /* FILE * */
    int slot;               /* 1 + its slot for pcapwrite_cleanup_on_signal, 0 none */
    bool direct;            /* not a regular file (a FIFO, a terminal): written in place */
};
/* mode: the new file's permissions (less the umask), as for open(2). */
bool atomic_open(struct atomic_file *f, const char *path, unsigned mode, char *err, size_t errlen);
bool atomic_commit(struct atomic_file *f, char *err, size_t errlen);
void atomic_abort(struct atomic_file *f);

#endif
