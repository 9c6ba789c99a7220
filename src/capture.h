/* capture.h - numbered packets from a capture file, filtered.
 *
 * Files are read by pcapfile.c; libpcap compiles and runs the BPF filter
 * (one program per link type, since a pcapng file may mix them) and will
 * serve live capture.  The rest of tcpfsm sees packets with nanosecond
 * timestamps, their link type, their number in the file, and errors phrased
 * for the user. */
#ifndef TCPFSM_CAPTURE_H
#define TCPFSM_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapfile.h"
#include "progress.h"
#include "segment.h"

/* A packet: the file reader's record, which capture_next() has the reader
 * fill in place.  (Filled on the stack and copied, its two 4-byte lengths
 * were stored one at a time and loaded back as one 8-byte word, which the
 * processor cannot forward from its store buffer: the load waited for every
 * store before it to reach the cache, the reading thread's stores into the
 * batch lines the applying thread had just read among them.  That one load
 * had three quarters of capture_next()'s samples with two threads.)
 * linktype is the LINKTYPE_ / DLT_ value for decode_packet(). */
struct capture_packet {
    union {
        struct pcapfile_packet rec;
        struct {
            PCAPFILE_PACKET_FIELDS
        };
    };
};
_Static_assert(sizeof(struct capture_packet) == sizeof(struct pcapfile_packet),
               "a capture packet is a file record");

enum capture_result {
    CAPTURE_PACKET = 1,     /* *pkt filled */
    CAPTURE_END = 0,        /* clean end of input */
    CAPTURE_DAMAGED = -1,   /* the input is damaged here; see capture_error() */
    CAPTURE_FAILED = -2,    /* cannot go on (the filter cannot apply); see capture_error() */
};

struct capture;

/* Open a capture file ("-" for standard input).  On failure returns NULL and
 * writes one sentence naming the file and the problem into err. */
struct capture *capture_open_file(const char *path, char *err, size_t errlen);
/* The same, naming the input `name` in messages and reports. */
struct capture *capture_open_file_named(const char *path, const char *name, char *err, size_t errlen);
/* Several files read one after another as one capture, as tcpdump -C or -G
 * rotates one into pieces: packets are numbered on from file to file, and
 * damage names the file.  names[i] (names or names[i] NULL: the path) is
 * what messages call paths[i].  Each file is checked to open now; each is
 * opened when its turn comes, and one that then cannot be read ends the
 * capture there (CAPTURE_FAILED). */
struct capture *capture_open_files(const char *const *paths, const char *const *names, int n, char *err,
                                   size_t errlen);
/* Open every file still to come now (for a caller about to give up the
 * privileges that let it open them); false with err set if one cannot be. */
bool capture_open_now(struct capture *c, char *err, size_t errlen);
/* Set a BPF filter; false with err set if it does not compile for the
 * file's first link type.  Other link types are compiled when first met. */
bool capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen);

enum capture_result capture_next(struct capture *c, struct capture_packet *pkt);
/* After CAPTURE_DAMAGED or CAPTURE_FAILED: what went wrong (no file name). */
const char *capture_error(const struct capture *c);
/* After CAPTURE_DAMAGED: the number of the damaged packet record; after
 * CAPTURE_FAILED, of the packet that could not be filtered, or that would
 * have come first from the file that could not be opened. */
uint64_t capture_error_pktno(const struct capture *c);

/* Link type of the (first) file or its first interface, -1 if none is known. */
int capture_linktype(const struct capture *c);
/* True for a pcap file, whose one link type applies to every packet (of
 * several files, the first: asked before reading). */
bool capture_single_linktype(const struct capture *c);
/* "EN10MB (Ethernet)"; the format: "pcapng", or "pcap; pcapng" for files of both */
const char *capture_linktype_text(const struct capture *c);
const char *capture_format(const struct capture *c);
/* The input's name: "a.pcap"; "a.pcap ... a.pcap9 (10 files)" */
const char *capture_source(const struct capture *c);
/* Name the input differently in messages (e.g. "standard input" for a copy). */
void capture_set_source(struct capture *c, const char *name);
uint64_t capture_records(const struct capture *c);      /* packet records read */
uint64_t capture_filtered(const struct capture *c);     /* rejected by the filter */
uint64_t capture_oversized(const struct capture *c);    /* longer than the snapshot length */
uint64_t capture_ts_clamped(const struct capture *c);   /* timestamps outside 1970..2100, clamped */
const char *capture_file_name(const struct capture *c); /* the one being read */
/* Files given out of time order (a file whose first packet with a time is
 * older than the last such packet before it): say so on standard error,
 * in one line naming the first such file and the file of that packet, and
 * counting the others (the states of connections that span such files
 * may be wrong). */
void capture_warn_disorder(const struct capture *c);
/* pcapfile_size_hint() of the file. */
uint64_t capture_size_hint(const struct capture *c);
/* Read through a decompressor (src/decompress.h). */
bool capture_compressed(const struct capture *c);
/* Whether reading never waits for another process: every input is a
 * regular file, read directly (not through a decompressor's pipe).  Such a
 * capture may be read from a thread that has the stopping signals blocked
 * (src/feed.c); a pipe's read may wait for its writer indefinitely. */
bool capture_never_waits(const struct capture *c);
/* Have the reading write the progress line p (progress.h) now and then,
 * from whichever thread reads; NULL for none (the default). */
void capture_show_progress(struct capture *c, struct progress *p);
/* Reading has ended: the line is erased (call before writing to standard
 * error, from the reading thread or after it has ended). */
void capture_progress_done(struct capture *c);
void capture_close(struct capture *c);

/* Describe a link type number: "EN10MB (Ethernet)". */
void linktype_text(int linktype, char *buf, size_t len);
/* libpcap's name and description of a link type (a DLT_ value) tcpfsm
 * decodes, known without libpcap; false for any other. */
bool linktype_known_name(int dlt, const char **name, const char **desc);

#endif
