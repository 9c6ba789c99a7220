/* pcapwrite.c - pcap output, written atomically. */
#include "pcapwrite.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* For the signal handler: the temporary file being written, if any. */
static char tmp_for_signal[4096];
static volatile sig_atomic_t tmp_active;

bool atomic_open(struct atomic_file *f, const char *path, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    size_t n = strlen(path) + 32;
    f->path = strdup(path);
    f->tmp = malloc(n);
    if (!f->path || !f->tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        atomic_abort(f);
        return false;
    }
    /* same directory as the target, so rename() is atomic */
    snprintf(f->tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        atomic_abort(f);
        return false;
    }
    /* mkstemp creates the file private; give it the mode a new file gets */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        snprintf(err, errlen, "%s: cannot set its mode: %s", path, strerror(errno));
        close(fd);
        unlink(f->tmp);
        atomic_abort(f);
        return false;
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        atomic_abort(f);
        return false;
    }
    if (strlen(f->tmp) < sizeof tmp_for_signal) {
        memcpy(tmp_for_signal, f->tmp, strlen(f->tmp) + 1);
        tmp_active = 1;
    }
    return true;
}

bool atomic_commit(struct atomic_file *f, char *err, size_t errlen)
{
    FILE *fp = f->fp;
    bool ok = fflush(fp) == 0 && !ferror(fp) && fsync(fileno(fp)) == 0;
    int saved = errno;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    f->fp = NULL;
    if (ok && rename(f->tmp, f->path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok)
        snprintf(err, errlen, "%s: cannot write: %s", f->path, strerror(saved));
    if (!ok)
        unlink(f->tmp);
    tmp_active = 0;
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    return ok;
}

void atomic_abort(struct atomic_file *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp)
        unlink(f->tmp);
    tmp_active = 0;
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
}

void pcapwrite_cleanup_on_signal(void)
{
    if (tmp_active)
        unlink(tmp_for_signal);
}

struct pcapwrite {
    struct atomic_file f;
    uint32_t snaplen;
    uint64_t count;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);       /* pcap is written in host byte order */
}

struct pcapwrite *pcapwrite_open(const char *path, int linktype, uint32_t snaplen, char *err, size_t errlen)
{
    struct pcapwrite *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (!atomic_open(&w->f, path, err, errlen)) {
        free(w);
        return NULL;
    }
    w->snaplen = snaplen ? snaplen : 262144;
    uint8_t h[24];
    uint16_t major = 2, minor = 4;
    put32(h, 0xa1b23c4d);   /* nanosecond timestamps */
    memcpy(h + 4, &major, 2);
    memcpy(h + 6, &minor, 2);
    put32(h + 8, 0);
    put32(h + 12, 0);
    put32(h + 16, w->snaplen);
    put32(h + 20, (uint32_t)linktype);
    if (fwrite(h, 1, sizeof h, w->f.fp) != sizeof h) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        pcapwrite_abort(w);
        return NULL;
    }
    return w;
}

bool pcapwrite_packet(struct pcapwrite *w, tstamp_t ts, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    uint8_t h[16];
    if (caplen > w->snaplen)
        caplen = w->snaplen;
    put32(h, (uint32_t)(ts / TS_PER_SEC));
    put32(h + 4, (uint32_t)(ts % TS_PER_SEC));
    put32(h + 8, caplen);
    put32(h + 12, wirelen < caplen ? caplen : wirelen);
    if (fwrite(h, 1, sizeof h, w->f.fp) != sizeof h || fwrite(data, 1, caplen, w->f.fp) != caplen)
        return false;
    w->count++;
    return true;
}

uint64_t pcapwrite_count(const struct pcapwrite *w) { return w->count; }

bool pcapwrite_commit(struct pcapwrite *w, char *err, size_t errlen)
{
    bool ok = atomic_commit(&w->f, err, errlen);
    free(w);
    return ok;
}

void pcapwrite_abort(struct pcapwrite *w)
{
    if (!w)
        return;
    atomic_abort(&w->f);
    free(w);
}
