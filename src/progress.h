/* progress.h - how far the reading of a long capture has come, on standard
 * error.
 *
 * A capture of tens of gigabytes takes minutes to read, and without a word
 * meanwhile a slow run cannot be told from a stuck one.  So, once a second
 * (the first time a second after reading began: a short run prints
 * nothing), the reading side writes one line:
 *
 *     tcpfsm: 12.3 GB of 48.0 GB (25%), 98.2M packets at 1.2M/s, 1m30s left
 *
 * On a terminal the line is rewritten in place (a carriage return, and
 * spaces over what a longer line left), cut to the terminal's width, and
 * erased when reading ends, before any message or report is written;
 * elsewhere (--progress into a file) each update is a line of its own.
 * The bytes are the input file's: for a compressed file, the compressed
 * bytes its decompressor has read; a pipe has no size, so its line says
 * how much was read, without a share or the time left.
 *
 * Without the periodic line (PROGRESS_ON_REQUEST), a line comes each time
 * SIGUSR1 asks for one (progress_request(), the handler; as dd(1) does), at
 * the next look, a plain line even on a terminal.
 *
 * The clock is looked at only when the reader goes to the file for more
 * data (pcapfile.c's refill(): each window of a mapped file, about a
 * megabyte; each read of a pipe), never per packet. */
#ifndef TCPFSM_PROGRESS_H
#define TCPFSM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>

/* progress_init()'s interval for a line only when asked (SIGUSR1). */
#define PROGRESS_ON_REQUEST UINT_MAX

/* No size known (a pipe). */
#define PROGRESS_NO_TOTAL UINT64_MAX

struct progress {
    int fd;                 /* where the line goes (standard error) */
    bool terminal;          /* rewrite one line in place */
    int width;              /* the terminal's columns, asked at each line (it is cut to fit) */
    size_t shown;           /* length of the line on the terminal now; 0: none */
    uint64_t start_ns;      /* when reading began (monotonic clock) */
    uint64_t next_ns;       /* when the next line is due */
    uint64_t interval_ns;
    const char *label;      /* before the figures: "" or "... : " */
};

/* Begin: the first line comes after interval_ms milliseconds, then one
 * every interval_ms.  terminal: fd is a terminal (its width is asked).
 * label: what is being read, put before the figures ("" for the report's
 * reading; a static string). */
void progress_init(struct progress *p, int fd, bool terminal, unsigned interval_ms, const char *label);
/* The same line again for another pass over the input, headed label: from
 * the start, with the same destination and interval. */
void progress_restart(struct progress *p, const char *label);
/* A signal handler: a line is wanted at the next look (async-signal-safe:
 * it sets a flag). */
void progress_request(int sig);
/* Is a line due now?  (Reads the clock, unless only asked-for lines come.) */
bool progress_due(struct progress *p);
/* Write the line for this point: pos bytes of total (PROGRESS_NO_TOTAL if
 * unknown) read, records packet records. */
void progress_show(struct progress *p, uint64_t pos, uint64_t total, uint64_t records);
/* Reading has ended: erase the line from the terminal, if one is there. */
void progress_clear(struct progress *p);

/* The line's text (without "tcpfsm: "), for elapsed_ns since reading
 * began; returns its length (as snprintf). */
int progress_format(char *buf, size_t len, uint64_t pos, uint64_t total, uint64_t records, uint64_t elapsed_ns);

#endif
