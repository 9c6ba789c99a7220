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

#include <pthread.h>
#include <signal.h>

static inline void stopping_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGQUIT);
}

/* Start a thread that never takes them: it is created with them blocked
 * and keeps that mask; the caller's mask is as it was.  Returns
 * pthread_create()'s result. */
static inline int start_thread_without_stopping(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    sigset_t stopping, saved;
    stopping_signals(&stopping);
    pthread_sigmask(SIG_BLOCK, &stopping, &saved);
    int rc = pthread_create(thread, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return rc;
}

#endif
