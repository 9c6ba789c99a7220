/* filemap.h - read a regular file through a window mapped from it.
 *
 * Reading a capture with read() copies every byte from the page cache into
 * a buffer before it is decoded; mapping the file lets the decoder read the
 * page cache itself.  The window slides along the file, the pages behind it
 * unmapped, so that the process's memory does not grow with the file (the
 * pages of a mapped file count in its resident set).
 *
 * A mapped file that shrinks under its reader (another program truncates
 * it), or whose page cannot be read from the disk, raises SIGBUS on the
 * next access instead of a short read().  filemap installs a SIGBUS handler
 * that puts zero-filled pages in the place of the vanished ones inside a
 * window, notes it, and lets the access go on: the reader then looks at
 * filemap_failed_flag() and reports the file damaged from there on.  A
 * SIGBUS at any other address goes to the handler or action there was
 * before.
 *
 * A file cut inside a page keeps that page: its bytes past the new end
 * read as zeros without a fault (the kernel's rule for the last page of a
 * file), and only the next page faults.  The reader checks what it can
 * (pcapfile.c: a record that would be empty makes it look at the file's
 * size). */
#ifndef TCPFSM_FILEMAP_H
#define TCPFSM_FILEMAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct filemap;

/* A map reader for fd, a regular file, read from offset 0; NULL if fd is
 * not a regular file or cannot be mapped (read it with read() then). */
struct filemap *filemap_open(int fd);

/* The bytes of the file from offset pos on, at least n of them if the
 * file has them: *avail is how many the returned pointer reaches (fewer
 * than n only at the end of the file).  Pointers returned before stay
 * valid only while they lie in the new window: a caller keeps none across
 * calls.  NULL on failure (errno set: the caller may read the file with
 * read() from pos instead). */
const uint8_t *filemap_window(struct filemap *m, uint64_t pos, size_t n, size_t *avail);

/* Nonzero once pages of a window vanished (the file shrank, or a read
 * failed) and read as zeros: the reader looks at it for every record, so
 * it gets the flag itself, valid until filemap_close(). */
const volatile sig_atomic_t *filemap_failed_flag(const struct filemap *m);

/* Whether the file is now shorter than when the present window was mapped
 * (one fstat(): for the reader's doubts, not for every record). */
bool filemap_shrunk(const struct filemap *m);

void filemap_close(struct filemap *m);

/* For a SIGBUS handler of another module that replaced filemap's: true if
 * the fault's address lies in a window, whose vanished pages now read as
 * zeros (then return from the handler); false for a SIGBUS sent by kill().
 * Async-signal-safe. */
bool filemap_fault(const siginfo_t *si);

#endif
