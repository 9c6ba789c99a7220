/* pcapfile.h - reading pcap and pcapng files without trusting them.
 *
 * tcpfsm reads capture files itself rather than through libpcap's savefile
 * code, for three reasons: pcapng files whose interfaces differ in link type
 * or snapshot length are read packet by packet instead of being refused;
 * damage is reported precisely (which record, header or body, what was
 * wrong); and the reader reads a regular file through a window mapped from
 * it (filemap.h: no copy), anything else through a fixed buffer, so memory
 * does not grow with the file.  Every length field is checked against
 * the bytes actually present before it is used. */
#ifndef TCPFSM_PCAPFILE_H
#define TCPFSM_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "segment.h"

struct progress;

/* Link type of a pcapng packet that names an interface the file never
 * described: such packets are handed out (to be counted), not decoded. */
#define PCAPFILE_NO_INTERFACE (-1)

/* Timestamps are clamped to [0, PCAPFILE_MAX_TS] (the year 2100): a
 * corrupt or hostile timestamp must not make time arithmetic overflow. */
#define PCAPFILE_MAX_TS ((tstamp_t)4102444800LL * TS_PER_SEC)

/* Largest record accepted (libpcap's limit for any link type). */
#define PCAPFILE_MAX_RECORD 262144u

/* A packet record's fields; src/capture.h's capture_packet has the same,
 * so that the record is filled where its reader wants it (see there). */
#define PCAPFILE_PACKET_FIELDS                                                 \
    const uint8_t *data;                                                       \
    uint32_t caplen;        /* bytes captured */                               \
    uint32_t wirelen;       /* bytes on the wire */                            \
    tstamp_t ts;                                                               \
    int linktype;           /* LINKTYPE_ value of the packet's interface */    \
    uint64_t pktno;         /* 1-based packet number, as Wireshark counts */

struct pcapfile_packet {
    PCAPFILE_PACKET_FIELDS
};

enum pcapfile_result {
    PCAPFILE_PACKET = 1,
    PCAPFILE_END = 0,
    PCAPFILE_DAMAGED = -1,  /* pcapfile_error() says what; nothing after is read */
};

/* Counts of oddities that did not stop reading. */
struct pcapfile_stats {
    uint64_t ts_clamped;    /* timestamps outside 1970..2100, clamped */
    uint64_t oversized;     /* caplen above the interface's snapshot length */
    uint64_t wirelen_short; /* original length below captured length */
    uint64_t bad_interface; /* pcapng packets naming an undefined interface */
    uint64_t other_blocks;  /* pcapng blocks that carry no packet */
};

struct pcapfile;

/* Open path ("-": standard input) and read its file header.  NULL on failure
 * with a sentence in err. */
struct pcapfile *pcapfile_open(const char *path, char *err, size_t errlen);
/* The same, naming the input `name` in messages (e.g. a copy of stdin). */
struct pcapfile *pcapfile_open_named(const char *path, const char *name, char *err, size_t errlen);
/* The same on an open descriptor, closed with the file (or on failure) if
 * own_fd. */
struct pcapfile *pcapfile_open_fd(int fd, bool own_fd, const char *name, char *err, size_t errlen);
enum pcapfile_result pcapfile_next(struct pcapfile *f, struct pcapfile_packet *pkt);
const char *pcapfile_error(const struct pcapfile *f);
/* Number of the packet whose record was damaged, and its byte offset. */
uint64_t pcapfile_damage_recno(const struct pcapfile *f);
/* Number the packets (pktno, the damaged record's number, the progress
 * line's count) on from `before`, that of the files read before this one;
 * call before the first pcapfile_next(). */
void pcapfile_number_from(struct pcapfile *f, uint64_t before);
uint64_t pcapfile_damage_offset(const struct pcapfile *f);
/* A regular file's size when it was opened (it may grow: a hint only);
 * UINT64_MAX for a pipe, a terminal or anything else. */
uint64_t pcapfile_size_hint(const struct pcapfile *f);
/* How far reading has come: *pos bytes of the input file, of *total
 * (UINT64_MAX if unknown: a pipe).  A compressed regular file's are its
 * own, compressed, bytes, as far as its decompressor has read them; a
 * compressed pipe's, the decompressed bytes. */
void pcapfile_position(const struct pcapfile *f, uint64_t *pos, uint64_t *total);
/* Where a file stands among several read as one capture (capture.h): the
 * bytes of the files before it and of those after it (UINT64_MAX: not
 * known).  The progress line counts over all. */
struct pcapfile_span {
    uint64_t bytes_before, bytes_after;
};
/* Write the progress line p (progress.h) when one is due, looked at each
 * time reading goes to the file for more data; NULL: none. */
void pcapfile_show_progress(struct pcapfile *f, struct progress *p, struct pcapfile_span span);
/* "pcap", "pcap (nanosecond)", "pcapng"; ", gzip-compressed" and the like
 * after it for a file read through its decompressor (decompress.h). */
const char *pcapfile_format(const struct pcapfile *f);
/* Read through a decompressor: byte offsets are in the decompressed data. */
bool pcapfile_compressed(const struct pcapfile *f);
/* Link type of the file (pcap) or of its first interface (pcapng); -1 if none yet. */
int pcapfile_linktype(const struct pcapfile *f);
/* Snapshot length of the file or first interface (0 if unknown). */
uint32_t pcapfile_snaplen(const struct pcapfile *f);
const struct pcapfile_stats *pcapfile_stats(const struct pcapfile *f);
void pcapfile_close(struct pcapfile *f);

/* A flag a signal handler sets to stop reading: a read interrupted while it
 * is set ends the input instead of being retried. */
void pcapfile_set_interrupt(volatile sig_atomic_t *flag);
/* That flag is set: reading was (or is to be) stopped by the user. */
bool pcapfile_interrupted(void);
/* Wait until fd (a pipe, FIFO or terminal) has input, its end, or an error:
 * true.  false once *flag is set (by a signal handler, which interrupts the
 * wait whatever its SA_RESTART). */
bool pcapfile_wait_readable(int fd, volatile sig_atomic_t *flag);
/* The same, giving up after timeout_ms (-1: never) or at another signal:
 * 1 input (or its end, or an error), 0 not yet, -1 *flag is set. */
int pcapfile_wait_input(int fd, volatile sig_atomic_t *flag, int timeout_ms);

#endif
