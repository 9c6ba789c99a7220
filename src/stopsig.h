/* stopsig.h - the signals that the threads pass between them.
 *
 * SIGINT, SIGTERM and SIGHUP stop the reading; SIGQUIT ends the process
 * (src/main.c).  A thread that must not take them (the writing thread, the
 * report's formatting thread, the tracking thread while the reading
 * thread may wait for input) blocks this
 * set, so that they reach the one that acts on them; the reading thread
 * unblocks it only while it waits for input (pcapfile_wait_readable()). */
#ifndef TCPFSM_STOPSIG_H
#define TCPFSM_STOPSIG_H

#include <signal.h>

static inline void stopping_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGQUIT);
}

#endif
