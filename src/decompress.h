/* decompress.h - reading a compressed capture through its decompressor.
 *
 * Captures of tens of gigabytes are kept compressed.  tcptrace reads them
 * through the decompressor a file's name suggests; Wireshark links the
 * libraries.  tcpfsm recognises the compression by the magic number at the
 * start of the data (never by the name), runs the standard decompressor
 * for it (gzip -dc, bzip2 -dc, xz -dc, zstd -dc, lz4 -dc) as a child
 * process reading the file, and reads the capture from its output like
 * any other pipe.  The decompressing runs on a processor of its own, beside
 * tcpfsm's threads.
 *
 * The child gets no shell and no file name, only the open file as its
 * standard input (or, for a pipe, whose first bytes had to be read to
 * recognise it, a feeder: a forked copy of tcpfsm that writes those bytes,
 * then the rest of the pipe, into the decompressor).  It runs in a process
 * group of its own, so a Ctrl-C at the terminal reaches tcpfsm, which then
 * ends it.  Its error message, if
 * it fails (damaged or cut-short compressed data), is kept to be named in
 * tcpfsm's own: the packets decompressed before the damage are reported,
 * and the run ends with the damaged-input status. */
#ifndef TCPFSM_DECOMPRESS_H
#define TCPFSM_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum compression {
    COMPRESSION_NONE,
    COMPRESSION_GZIP,       /* also compress(1)'s .Z, which gzip reads */
    COMPRESSION_BZIP2,
    COMPRESSION_XZ,
    COMPRESSION_ZSTD,
    COMPRESSION_LZ4,
};

/* Bytes needed to tell the compressions apart. */
#define COMPRESSION_MAGIC_LEN 6

/* The compression whose magic number starts b (n bytes of it); NONE if
 * none does.  No pcap or pcapng file starts with any of them. */
enum compression compression_of(const uint8_t *b, size_t n);
/* "gzip", "bzip2", ...: the program that decompresses it. */
const char *compression_name(enum compression c);

struct decompressor {
    enum compression kind;
    pid_t pid;              /* 0: not running (never started, or reaped) */
    pid_t feeder;           /* decompressor_start_fed()'s copier, or 0 */
    int out;                /* its output, the decompressed capture */
    int err;                /* its standard error, read when it ends */
};

/* Start the decompressor for kind, reading in (which stays the caller's
 * to close).  false, with a sentence in err, if it could not be run. */
bool decompressor_start(struct decompressor *d, enum compression kind, int in, char *err, size_t errlen);

/* The same for a pipe whose first n bytes, prefix, were already read from
 * it: a feeder process gives the decompressor those, then the rest of in. */
bool decompressor_start_fed(struct decompressor *d, enum compression kind, int in, const uint8_t *prefix,
                            size_t n, char *err, size_t errlen);

/* Its output has ended: wait for it and tell whether it succeeded; if not,
 * why (its own first line of complaint, or how it exited) in why. */
bool decompressor_reap(struct decompressor *d, char *why, size_t whylen);

/* Reading stopped before its output ended: end it and wait for it.  Also
 * closes its pipes; safe on one never started or already reaped. */
void decompressor_stop(struct decompressor *d);

#endif
