/* privs.h - giving up root once the capture is open.
 *
 * Live capture needs root (or CAP_NET_RAW) only to open the interface.  Once
 * it is open, and before any packet is parsed, tcpfsm becomes an ordinary
 * user: supplementary groups, group and user are all set to the target's,
 * and no capability is left.  Every step is checked, and so is the result:
 * root cannot be regained and the effective capability set is empty. */
#ifndef TCPFSM_PRIVS_H
#define TCPFSM_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

#define PRIVS_DEFAULT_USER "nobody"

/* Become `user` (NULL: PRIVS_DEFAULT_USER) if running as root; otherwise
 * keep the user but drop every capability (a binary given CAP_NET_RAW).
 * false with one sentence in err on failure: the caller must not go on. */
bool privs_drop(const char *user, char *err, size_t errlen);

/* The effective capability set as /proc/self/status shows it (CapEff);
 * ~0 if it cannot be read. */
unsigned long long privs_cap_effective(void);

#endif
