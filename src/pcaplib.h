/* pcaplib.h - libpcap, loaded when first needed.
 *
 * tcpfsm reads capture files itself (pcapfile.c) and needs libpcap only to
 * capture live, to compile a BPF filter (-f), and to name a link type it
 * does not decode.  Linked in at build time, libpcap and what it pulls in
 * on Debian (libdbus, libsystemd, libgcrypt, liblzma, libzstd, liblz4,
 * libcap, libgpg-error) are mapped, relocated and initialized at every
 * start: 1.1-1.3 ms, a quarter of a one-packet run (docs/performance.md,
 * "libpcap loaded when first needed").  Built with TCPFSM_LAZY_PCAP
 * (configure's default where it finds libpcap's shared object name),
 * pcaplib.c defines the libpcap functions tcpfsm calls, each forwarding to
 * the library dlopen()ed on the first call that can start a use of it; the
 * rest of tcpfsm calls libpcap as usual.  Otherwise libpcap is linked and
 * pcaplib_load() has nothing to do.
 *
 * The functions that start a use - pcap_create(), pcap_open_dead(),
 * pcap_findalldevs(), pcap_datalink_val_to_name() and
 * pcap_datalink_val_to_description() - load the library if need be and fail
 * in their own way (NULL, or -1 with a message) if it cannot be loaded; the
 * others take what only those return, so they run with it loaded. */
#ifndef TCPFSM_PCAPLIB_H
#define TCPFSM_PCAPLIB_H

#include <stdbool.h>
#include <stddef.h>

/* Load libpcap now (once per process; safe from any thread).  False, with
 * the reason in err (which may be NULL), if it cannot be loaded. */
bool pcaplib_load(char *err, size_t errlen);

/* Whether libpcap is in the process yet (always, when it is linked). */
bool pcaplib_loaded(void);

#endif
