/* decompress.c - reading a compressed capture through its decompressor. */
#include "decompress.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Each compression's magic number (from each format's specification: RFC
 * 1952 for gzip, RFC 8878 for zstd, the xz and LZ4 frame format documents,
 * bzip2's stream header "BZh" and block size digit) and the command that
 * writes the data decompressed to its standard output. */
static const struct {
    const char *name;
    uint8_t magic[COMPRESSION_MAGIC_LEN];
    uint8_t len;
    const char *argv[4];
} formats[] = {
    [COMPRESSION_GZIP] = {"gzip", {0x1f, 0x8b}, 2, {"gzip", "-dc", NULL}},
    [COMPRESSION_BZIP2] = {"bzip2", {'B', 'Z', 'h'}, 3, {"bzip2", "-dc", NULL}},
    [COMPRESSION_XZ] = {"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, {"xz", "-dc", NULL}},
    [COMPRESSION_ZSTD] = {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, {"zstd", "-dcq", NULL}},
    [COMPRESSION_LZ4] = {"lz4", {0x04, 0x22, 0x4d, 0x18}, 4, {"lz4", "-dc", NULL}},
};

/* compress(1)'s .Z, which gzip decompresses too. */
static const uint8_t lzw_magic[2] = {0x1f, 0x9d};

enum compression compression_of(const uint8_t *b, size_t n)
{
    for (size_t k = COMPRESSION_GZIP; k < sizeof formats / sizeof formats[0]; k++)
        if (n >= formats[k].len && memcmp(b, formats[k].magic, formats[k].len) == 0) {
            /* bzip2: the block size, '1' to '9', follows "BZh" */
            if (k == COMPRESSION_BZIP2 && (n < 4 || b[3] < '1' || b[3] > '9'))
                continue;
            return (enum compression)k;
        }
    if (n >= 2 && memcmp(b, lzw_magic, 2) == 0)
        return COMPRESSION_GZIP;
    return COMPRESSION_NONE;
}

const char *compression_name(enum compression c)
{
    return c > COMPRESSION_NONE && c <= COMPRESSION_LZ4 ? formats[c].name : "none";
}

static void close_quietly(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int wait_for(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

static bool make_pipe(int p[2], enum compression kind, char *err, size_t errlen)
{
    if (pipe2(p, O_CLOEXEC) == 0)
        return true;
    snprintf(err, errlen, "cannot make a pipe for %s: %s", formats[kind].name, strerror(errno));
    return false;
}

bool decompressor_start(struct decompressor *d, enum compression kind, int in, char *err, size_t errlen)
{
    d->kind = kind;
    d->pid = d->feeder = 0;
    d->out = d->err = -1;
    int out[2], msg[2];
    if (!make_pipe(out, kind, err, errlen))
        return false;
    if (!make_pipe(msg, kind, err, errlen)) {
        close(out[0]);
        close(out[1]);
        return false;
    }
    /* A bigger pipe: fewer trips between the two processes.  (Only a
     * hint: the system's limit may refuse it.) */
#ifdef F_SETPIPE_SZ
    fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
#endif
    /* Its complaints are read only once it has ended: should it ever say
     * more than the pipe holds, it must not block on writing them. */
    fcntl(msg[1], F_SETFL, O_NONBLOCK);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, msg[1], STDERR_FILENO);
    /* Its own process group (a terminal's Ctrl-C is tcpfsm's to act on),
     * no blocked signals, and the default action for those tcpfsm may
     * ignore or catch: a decompressor whose reader has gone away ends on
     * SIGPIPE. */
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGQUIT);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &defaults);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid;
    int rc = posix_spawnp(&pid, formats[kind].argv[0], &fa, &at, (char *const *)formats[kind].argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(out[1]);
    close(msg[1]);
    if (rc != 0) {
        snprintf(err, errlen, "%s-compressed; reading it needs the %s program, which could not be run: %s",
                 formats[kind].name, formats[kind].argv[0], strerror(rc));
        close(out[0]);
        close(msg[0]);
        return false;
    }
    fcntl(msg[0], F_SETFL, O_NONBLOCK);
    d->pid = pid;
    d->out = out[0];
    d->err = msg[0];
    return true;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* The feeder's buffer (in the forked child only; static, not on the stack
 * of whichever thread opened the file). */
static uint8_t feed_buf[65536];

/* The forked child: async-signal-safe calls only (the parent may have
 * threads).  Its own process group, as the decompressor's; the default
 * action for the signals tcpfsm catches, so that SIGTERM ends it and a
 * decompressor gone away ends it with SIGPIPE. */
static void feed(int in, int to, const uint8_t *prefix, size_t n)
{
    static const int defaults[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        sigaction(defaults[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    /* tcpfsm's standard streams are not its to hold open (a reader of
     * tcpfsm's output waits for every writer to close it) */
    for (int fd = 0; fd <= 2; fd++)
        if (fd != in && fd != to)
            close(fd);
    if (!write_all(to, prefix, n))
        _exit(1);
    for (;;) {
        ssize_t r = read(in, feed_buf, sizeof feed_buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            _exit(r < 0 ? 1 : 0);
        if (!write_all(to, feed_buf, (size_t)r))
            _exit(1);
    }
}

bool decompressor_start_fed(struct decompressor *d, enum compression kind, int in, const uint8_t *prefix,
                            size_t n, char *err, size_t errlen)
{
    d->pid = d->feeder = 0;
    d->out = d->err = -1;
    int pipe_in[2];
    if (!make_pipe(pipe_in, kind, err, errlen))
        return false;
    pid_t feeder = fork();
    if (feeder < 0) {
        snprintf(err, errlen, "cannot start a process to feed %s: %s", formats[kind].name, strerror(errno));
        close(pipe_in[0]);
        close(pipe_in[1]);
        return false;
    }
    if (feeder == 0) {
        close(pipe_in[0]);
        feed(in, pipe_in[1], prefix, n);
    }
    close(pipe_in[1]);
    bool started = decompressor_start(d, kind, pipe_in[0], err, errlen);
    close(pipe_in[0]);
    if (!started) {
        kill(feeder, SIGTERM);
        wait_for(feeder);
        return false;
    }
    d->feeder = feeder;
    return true;
}

/* The first line of what it wrote to its standard error (gzip begins with
 * an empty one), printable characters only: the decompressor's text, but
 * about hostile data. */
static void first_complaint(int fd, char *why, size_t whylen)
{
    char buf[512];
    size_t n = 0;
    while (n < sizeof buf) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r > 0)
            n += (size_t)r;
        else if (r == 0 || errno != EINTR)
            break;      /* the end, or nothing more without waiting */
    }
    size_t i = 0, k = 0;
    while (i < n && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == ' '))
        i++;
    for (; i < n && buf[i] != '\n' && k + 1 < whylen; i++)
        if (buf[i] >= 0x20 && buf[i] < 0x7f)
            why[k++] = buf[i];
    while (k > 0 && why[k - 1] == ' ')
        k--;
    why[k] = 0;
}

/* The feeder, once the decompressor is done: it may still wait for input
 * the decompressor no longer wants (a pipe its writer keeps open). */
static void end_feeder(struct decompressor *d)
{
    if (d->feeder) {
        kill(d->feeder, SIGTERM);
        wait_for(d->feeder);
        d->feeder = 0;
    }
}

bool decompressor_reap(struct decompressor *d, char *why, size_t whylen)
{
    if (!d->pid)
        return true;
    int status = wait_for(d->pid);
    d->pid = 0;
    end_feeder(d);
    if (whylen)
        why[0] = 0;
    /* gzip and xz exit with 2 after a warning only (trailing zeros, say):
     * all the data came out */
    bool warned_only = WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
                       (d->kind == COMPRESSION_GZIP || d->kind == COMPRESSION_XZ);
    bool ok = status >= 0 && WIFEXITED(status) && (WEXITSTATUS(status) == 0 || warned_only);
    if (!ok && whylen) {
        char said[256];
        first_complaint(d->err, said, sizeof said);
        size_t named = strlen(formats[d->kind].name);
        if (said[0] && strncmp(said, formats[d->kind].name, named) == 0 && said[named] == ':')
            snprintf(why, whylen, "%s", said);
        else if (said[0])
            snprintf(why, whylen, "%s: %s", formats[d->kind].name, said);
        else if (status >= 0 && WIFSIGNALED(status))
            snprintf(why, whylen, "%s was killed by signal %d", formats[d->kind].name, WTERMSIG(status));
        else
            snprintf(why, whylen, "%s exited with status %d", formats[d->kind].name,
                     status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    close_quietly(&d->err);
    return ok;
}

void decompressor_stop(struct decompressor *d)
{
    if (d->pid) {
        kill(d->pid, SIGTERM);
        wait_for(d->pid);
        d->pid = 0;
    }
    end_feeder(d);
    close_quietly(&d->err);
}
