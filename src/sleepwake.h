/* sleepwake.h - one thread sleeping until another makes its condition true.
 *
 * The protocol src/feed.c and src/handoff.c share: a side about to sleep
 * sets its `sleeping` flag under the lock, then looks at its condition
 * again; the other side stores what makes the condition true, then looks
 * at the flag and, if it is set, wakes the sleeper under the same lock.
 * With sequentially consistent atomics for the flag and for what the
 * condition reads, at least one of them sees the other's store: either
 * the sleeper sees the new state and does not sleep, or the waker sees the
 * flag and its signal reaches a sleeper already inside pthread_cond_wait()
 * (which it entered holding the lock the waker takes: once the waker has
 * had the lock, the sleeper is waiting, or has looked again and is awake).
 * The signal is sent after the lock is given back: sent while it is held,
 * the woken thread would at once block again on that lock, and the waker
 * wake it a second time when it let go - two more system calls and a
 * second trip through the scheduler for every wake-up. */
#ifndef TCPFSM_SLEEPWAKE_H
#define TCPFSM_SLEEPWAKE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Wait until ready(ctx) holds: look `spins` times (a pause between), then
 * sleep on cv with *sleeping set until woken with the condition true. */
static inline void sleep_until(pthread_mutex_t *lock, pthread_cond_t *cv, atomic_bool *sleeping,
                               bool (*ready)(void *ctx), void *ctx, int spins)
{
    for (int i = 0; i < spins; i++) {
        if (ready(ctx))
            return;
        cpu_relax();
    }
    if (ready(ctx))
        return;
    pthread_mutex_lock(lock);
    atomic_store(sleeping, true);
    while (!ready(ctx))
        pthread_cond_wait(cv, lock);
    atomic_store(sleeping, false);
    pthread_mutex_unlock(lock);
}

/* Wake the sleeper on cv (the caller has seen its flag set).  A signal
 * that comes once the sleeper has woken, or after it went back to sleep on
 * a later round, is a spurious wake-up that sleep_until()'s loop absorbs.
 * The lock and cv must outlive the call: their owners destroy them only
 * once both threads are done with them (the other thread joined). */
static inline void wake_sleeper(pthread_mutex_t *lock, pthread_cond_t *cv)
{
    pthread_mutex_lock(lock);
    pthread_mutex_unlock(lock);
    pthread_cond_signal(cv);
}

#endif
