/* outwriter.c - a report's output written by a thread of its own.
 *
 * The front stream is a stdio cookie stream with a small buffer of its own
 * (OUTW_STAGE): the Zeek writer's many putc()s stay cheap, and each time
 * the buffer fills stdio hands it here to be copied into the block being
 * filled (a copy from a buffer still in the first-level cache, a few
 * hundredths of a second per gigabyte; unbuffered, every putc() was a call
 * here, and the Zeek format 10% slower).  A full block is handed
 * to the writing thread through a ring of OUTW_BLOCKS: `filled` counts the
 * blocks handed over, `written` those the thread has written (or, after a
 * failure, dropped); the caller may fill block `filled % OUTW_BLOCKS` only
 * while fewer than OUTW_BLOCKS are in flight.  Both counters are guarded by
 * the mutex: a handover is once per block (a few thousand per gigabyte),
 * far too rare for the lock to cost anything. */
#include "outwriter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio_ext.h>          /* __fpending() */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "stopsig.h"

/* Blocks of 256 KiB: large enough that a write() is a small part of the
 * cost of filling one, small enough that four of them (only what is filled
 * is ever touched) cost little memory. */
#define OUTW_BLOCK (256u * 1024u)
#define OUTW_BLOCKS 4u
#define OUTW_STAGE (16u * 1024u)

struct outwriter {
    FILE *dest;
    FILE *front;
    char *blocks;               /* OUTW_BLOCKS blocks of OUTW_BLOCK bytes */
    size_t len[OUTW_BLOCKS];    /* bytes in each block handed over */

    /* the caller's side */
    char *cur;                  /* the block being filled, NULL if none yet */
    size_t cur_len;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;        /* the thread: a block was handed over, or closing */
    pthread_cond_t space;       /* the caller: a block was written */
    uint64_t filled, written;   /* under lock */
    bool closing;               /* under lock */
    atomic_bool failed;         /* a write failed; error holds its errno */
    int error;
};

static void *writing_thread(void *arg)
{
    struct outwriter *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->written == w->filled && !w->closing)
            pthread_cond_wait(&w->work, &w->lock);
        if (w->written == w->filled)
            break;                      /* closing, and nothing left */
        unsigned i = (unsigned)(w->written % OUTW_BLOCKS);
        size_t n = w->len[i];
        pthread_mutex_unlock(&w->lock);

        /* After a failure the blocks are dropped, not written, so that the
         * caller never waits for space that will not come. */
        if (!atomic_load_explicit(&w->failed, memory_order_relaxed)) {
            errno = 0;
            if (fwrite(w->blocks + (size_t)i * OUTW_BLOCK, 1, n, w->dest) != n || fflush(w->dest) != 0) {
                w->error = errno ? errno : EIO;
                atomic_store(&w->failed, true);
            }
        }

        pthread_mutex_lock(&w->lock);
        w->written++;
        pthread_cond_signal(&w->space);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Hand the block being filled (cur_len bytes) to the thread. */
static void hand_over(struct outwriter *w)
{
    pthread_mutex_lock(&w->lock);
    w->len[w->filled % OUTW_BLOCKS] = w->cur_len;
    w->filled++;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    w->cur = NULL;
    w->cur_len = 0;
}

/* Make the next block the one being filled, once the thread has written it. */
static void take_block(struct outwriter *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->filled - w->written >= OUTW_BLOCKS)
        pthread_cond_wait(&w->space, &w->lock);
    w->cur = w->blocks + (size_t)(w->filled % OUTW_BLOCKS) * OUTW_BLOCK;
    pthread_mutex_unlock(&w->lock);
    w->cur_len = 0;
}

/* The front stream's write: copy into blocks.  A cookie write returns the
 * bytes it took, 0 with errno set on an error (never a negative value). */
static ssize_t front_write(void *cookie, const char *buf, size_t size)
{
    struct outwriter *w = cookie;
    if (atomic_load_explicit(&w->failed, memory_order_acquire)) {
        errno = w->error;
        return 0;
    }
    size_t done = 0;
    while (done < size) {
        if (!w->cur)
            take_block(w);
        size_t n = OUTW_BLOCK - w->cur_len;
        if (n > size - done)
            n = size - done;
        memcpy(w->cur + w->cur_len, buf + done, n);
        w->cur_len += n;
        done += n;
        if (w->cur_len == OUTW_BLOCK)
            hand_over(w);
    }
    return (ssize_t)done;
}

FILE *outwriter_start(FILE *dest, struct outwriter **wp)
{
    *wp = NULL;
    struct outwriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->dest = dest;
    atomic_init(&w->failed, false);
    w->blocks = malloc((size_t)OUTW_BLOCKS * OUTW_BLOCK);
    if (!w->blocks)
        goto fail_blocks;
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&w->work, NULL) != 0)
        goto fail_work;
    if (pthread_cond_init(&w->space, NULL) != 0)
        goto fail_space;
    cookie_io_functions_t io = { .write = front_write };
    w->front = fopencookie(w, "w", io);
    if (!w->front)
        goto fail_front;
    setvbuf(w->front, NULL, _IOFBF, OUTW_STAGE);

    /* What dest already holds goes before anything the thread writes; if
     * it cannot be written, neither can what follows. */
    errno = 0;
    if (fflush(dest) != 0) {
        w->error = errno ? errno : EIO;
        atomic_store(&w->failed, true);
    }
    /* the stopping signals stay with the threads that act on them */
    if (start_thread_without_stopping(&w->thread, writing_thread, w) != 0)
        goto fail_thread;
    *wp = w;
    return w->front;

fail_thread:
    fclose(w->front);
fail_front:
    pthread_cond_destroy(&w->space);
fail_space:
    pthread_cond_destroy(&w->work);
fail_work:
    pthread_mutex_destroy(&w->lock);
fail_lock:
    free(w->blocks);
fail_blocks:
    free(w);
    return NULL;
}

bool out_flushed(FILE *f)
{
    errno = 0;
    return fflush(f) == 0 && !ferror(f);
}

const char *out_reason(int err)
{
    return err ? strerror(err) : "output error";
}

void outwriter_put(struct outwriter *w, const void *buf, size_t len)
{
    if (__fpending(w->front) && fflush(w->front) != 0)
        return;                 /* failed: the writer keeps the error */
    front_write(w, buf, len);
}

bool outwriter_finish(struct outwriter *w)
{
    if (!w)
        return true;            /* no thread: nothing of ours to write */
    /* Closing the front stream hands over what its buffer holds. */
    fclose(w->front);
    if (w->cur_len)
        hand_over(w);
    pthread_mutex_lock(&w->lock);
    w->closing = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);

    bool ok = !atomic_load(&w->failed);
    int error = w->error;
    if (ok) {
        errno = 0;
        if (fflush(w->dest) != 0 || ferror(w->dest)) {
            ok = false;
            error = errno ? errno : EIO;
        }
    }
    pthread_cond_destroy(&w->space);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w->blocks);
    free(w);
    if (!ok)
        errno = error;
    return ok;
}
