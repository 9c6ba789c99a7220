/* outwriter.h - a report's output written by a thread of its own.
 *
 * A JSON report of a million connections is a gigabyte of text.  Writing it
 * (the kernel's copy into the page cache, or a pipe's reader keeping up)
 * costs about as much as producing it, and in the thread that tracks the
 * connections that cost is added to the tracking.  An outwriter puts a
 * stream in front of the destination that only copies what it is given
 * into large blocks; a thread of its own writes full blocks to the
 * destination while the caller's thread goes on.  The bytes, their order
 * and the destination are the same as writing directly.
 *
 * Errors: a failed write is kept (with its errno); every later write to the
 * front stream fails with it, and outwriter_finish() reports it.  SIGPIPE
 * and SIGXFSZ reach the writing thread as they would the caller's (they are
 * sent to the thread whose write raised them); SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT are blocked in it, so that they go where they went before. */
#ifndef TCPFSM_OUTWRITER_H
#define TCPFSM_OUTWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct outwriter;

/* Start writing to dest through a thread.  Returns the stream to write to
 * instead of dest, and the writer in *w; NULL (and *w NULL) if no thread or
 * memory could be had: the caller then writes to dest itself. */
FILE *outwriter_start(FILE *dest, struct outwriter **w);

/* Write what is left, wait for the thread, close the front stream and free
 * the writer.  dest is flushed and stays open.  false if anything could not
 * be written (errno set).  With w NULL (no writer was started) it does
 * nothing and returns true. */
bool outwriter_finish(struct outwriter *w);
/* Write len bytes to the front stream past stdio's buffer, straight into
 * the writer's block (what the buffer holds goes first, so the order is
 * kept): for lines already built in memory, which stdio would copy once
 * more.  From the thread that writes to the front stream.  Errors are kept
 * as for the stream's own writes. */
void outwriter_put(struct outwriter *w, const void *buf, size_t len);

/* Flush f: true if everything written to it went out.  On false, errno is
 * the reason if this last flush had something to write and failed; 0 if
 * only the stream's error flag tells of an earlier failed write (stdio
 * drops the buffer a failed write leaves, so the final flush may find
 * nothing left to try). */
bool out_flushed(FILE *f);
/* What to say of an output error whose errno was err (0: unknown). */
const char *out_reason(int err);

#endif
