/* extract.c - choose connections, then copy their packets. */
#include "extract.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conntab.h"
#include "decode.h"
#include "pcapwrite.h"
#include "smalltab.h"

#define MAX_SELECT_IDS 64

struct chosen {
    struct ct_key key;
    tstamp_t first, last;   /* span of the chosen incarnations of the tuple */
};

struct selection {
    bool any_anomaly;       /* no --select: every connection with an anomaly */
    uint32_t conn_ids[MAX_SELECT_IDS];
    int nconn_ids;
    uint32_t anomaly_mask;
    struct smalltab tab;
    uint64_t chosen;
};

struct selection *selection_create(const char *spec, uint32_t max, char *err, size_t errlen)
{
    struct selection *s = calloc(1, sizeof *s);
    if (!s || !smalltab_init(&s->tab, sizeof(struct ct_key), sizeof(struct chosen), max)) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!spec) {
        s->any_anomaly = true;
        return s;
    }
    char *copy = strdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long v = strtoul(tok, &end, 10);
        int an;
        if (*tok && !*end && v > 0 && v <= UINT32_MAX) {
            if (s->nconn_ids == MAX_SELECT_IDS) {
                snprintf(err, errlen, "--select: more than %d connection numbers", MAX_SELECT_IDS);
                goto bad;
            }
            s->conn_ids[s->nconn_ids++] = (uint32_t)v;
        } else if ((an = anomaly_parse(tok)) >= 0) {
            s->anomaly_mask |= 1u << an;
        } else {
            snprintf(err, errlen, "--select: \"%s\" is neither a connection number nor an anomaly id", tok);
            goto bad;
        }
    }
    free(copy);
    return s;
bad:
    free(copy);
    selection_destroy(s);
    return NULL;
}

void selection_destroy(struct selection *s)
{
    if (!s)
        return;
    smalltab_destroy(&s->tab);
    free(s);
}

void selection_consider(struct selection *s, const struct conn *c, const struct analysis *an)
{
    uint32_t mask = an ? analysis_mask(an, c) : 0;
    bool take = s->any_anomaly ? mask != 0 : (mask & s->anomaly_mask) != 0;
    for (int i = 0; !take && i < s->nconn_ids; i++)
        take = s->conn_ids[i] == c->id;
    if (!take)
        return;
    struct ct_key key;
    ct_node_key(&c->node, &key);
    struct chosen *ch = smalltab_get(&s->tab, &key, true);
    if (!ch)
        return;             /* counted by the table as refused */
    if (!ch->first || c->first < ch->first)
        ch->first = c->first;
    if (c->last > ch->last)
        ch->last = c->last;
    s->chosen++;
}

uint64_t selection_chosen(const struct selection *s) { return s->chosen; }
uint64_t selection_not_kept(const struct selection *s) { return s->tab.refused; }

bool selection_write(struct selection *s, const char *const *paths, const char *const *names, int npaths,
                     const char *filter, const char *out_path, const volatile sig_atomic_t *stop,
                     struct progress *progress, uint64_t *written, char *err, size_t errlen)
{
    *written = 0;
    struct capture *cap = capture_open_files(paths, names, npaths, err, errlen);
    if (!cap)
        return false;
    if (!capture_set_filter(cap, filter, err, errlen)) {
        capture_close(cap);
        return false;
    }
    int lt = capture_linktype(cap);
    struct pcapwrite *w = pcapwrite_open(out_path, lt >= 0 ? lt : 1, 262144, err, errlen);
    if (!w) {
        capture_close(cap);
        return false;
    }
    if (progress) {
        progress_restart(progress, "-w, second pass: ");
        capture_show_progress(cap, progress);
    }
    struct capture_packet pkt;
    enum capture_result rc;
    uint64_t other_link = 0;
    bool ok = true;
    while ((rc = capture_next(cap, &pkt)) == CAPTURE_PACKET) {
        if (stop && *stop) {
            snprintf(err, errlen, "%s not written: interrupted by a signal", out_path);
            ok = false;
            break;
        }
        struct segment seg;
        /* the connection's segments, and the ICMP errors about them */
        enum decode_outcome o = decode_packet(pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen, &seg);
        if (o != DEC_TCP && o != DEC_ICMP_ERROR)
            continue;
        struct ct_key key;
        int dir;
        ct_key_from_segment(&seg, &key, &dir);
        const struct chosen *ch = smalltab_get(&s->tab, &key, false);
        if (!ch || pkt.ts < ch->first || pkt.ts > ch->last)
            continue;
        if (pkt.linktype != lt) {
            other_link++;   /* a pcap file holds one link type */
            continue;
        }
        if (!pcapwrite_packet(w, pkt.ts, pkt.data, pkt.caplen, pkt.wirelen)) {
            snprintf(err, errlen, "%s: cannot write: %s", out_path, strerror(errno));
            ok = false;
            break;
        }
    }
    capture_progress_done(cap);
    capture_close(cap);
    if (!ok) {
        pcapwrite_abort(w);
        return false;
    }
    *written = pcapwrite_count(w);
    if (!pcapwrite_commit(w, err, errlen))
        return false;
    if (other_link)
        fprintf(stderr, "tcpfsm: %s: %llu packets on interfaces of another link type not written\n", out_path,
                (unsigned long long)other_link);
    return true;
}
