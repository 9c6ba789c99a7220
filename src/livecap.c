/* livecap.c - live capture through libpcap (see livecap.h). */
#include "livecap.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct livecap {
    pcap_t *p;
    int fd;
    int linktype;
    bool nano;
    uint32_t snaplen;
    uint64_t pktno;
    char linktype_text[96];
    char error[PCAP_ERRBUF_SIZE + 128];
    struct pcap_stat last;  /* to accumulate the 32-bit counters */
    struct livecap_stats acc;
    /* the dispatch in progress */
    void (*fn)(void *ctx, const struct capture_packet *pkt);
    void *ctx;
};

/* libpcap's own message, unless it is empty. */
static const char *why(pcap_t *p)
{
    const char *e = pcap_geterr(p);
    return e && *e ? e : "unknown error";
}

static void activate_error(pcap_t *p, int rc, const char *iface, char *err, size_t errlen)
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "%s: no such interface (tcpfsm -D lists the ones that can be captured on)", iface);
        break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, errlen, "%s: no permission to capture: run as root or grant CAP_NET_RAW", iface);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "%s: the interface is down", iface);
        break;
    case PCAP_ERROR_RFMON_NOTSUP:
        snprintf(err, errlen, "%s: monitor mode is not supported", iface);
        break;
    default:
        snprintf(err, errlen, "%s: cannot capture: %s", iface, why(p));
        break;
    }
}

struct livecap *livecap_open(const struct livecap_config *cfg, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct livecap *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->snaplen = cfg->snaplen ? cfg->snaplen : LIVECAP_DEFAULT_SNAPLEN;
    pcap_t *p = pcap_create(cfg->iface, ebuf);
    if (!p) {
        snprintf(err, errlen, "%s: cannot capture: %s", cfg->iface, ebuf);
        free(l);
        return NULL;
    }
    l->p = p;
    pcap_set_snaplen(p, (int)l->snaplen);
    pcap_set_promisc(p, cfg->promisc && strcmp(cfg->iface, "any") != 0);
    /* batches, not packet by packet (livecap.h) */
    pcap_set_timeout(p, (int)(cfg->latency_ms ? cfg->latency_ms : LIVECAP_LATENCY_MS));
    uint64_t buffer = cfg->buffer_kib ? (uint64_t)cfg->buffer_kib * 1024 : LIVECAP_BUFFER_BYTES;
    pcap_set_buffer_size(p, buffer > INT32_MAX ? INT32_MAX : (int)buffer);
    l->nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    int rc = pcap_activate(p);
    if (rc < 0) {
        activate_error(p, rc, cfg->iface, err, errlen);
        livecap_close(l);
        return NULL;
    }
    l->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
#ifdef DLT_LINUX_SLL2
    /* -i any: Linux cooked v2 names the interface of each packet. */
    if (!strcmp(cfg->iface, "any")) {
        int *dlts = NULL;
        int n = pcap_list_datalinks(p, &dlts);
        for (int i = 0; i < n; i++)
            if (dlts[i] == DLT_LINUX_SLL2) {
                pcap_set_datalink(p, DLT_LINUX_SLL2);
                break;
            }
        if (n > 0)
            pcap_free_datalinks(dlts);
    }
#endif
    l->linktype = pcap_datalink(p);
    linktype_text(l->linktype, l->linktype_text, sizeof l->linktype_text);

    if (cfg->filter && *cfg->filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "filter \"%s\": %s", cfg->filter, why(p));
            livecap_close(l);
            return NULL;
        }
        if (pcap_setfilter(p, &prog) != 0) {
            snprintf(err, errlen, "filter \"%s\": cannot apply it: %s", cfg->filter, why(p));
            pcap_freecode(&prog);
            livecap_close(l);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    if (pcap_setnonblock(p, 1, ebuf) != 0) {
        snprintf(err, errlen, "%s: cannot capture without blocking: %s", cfg->iface, ebuf);
        livecap_close(l);
        return NULL;
    }
    l->fd = pcap_get_selectable_fd(p);
    if (l->fd < 0) {
        snprintf(err, errlen, "%s: the capture cannot be polled", cfg->iface);
        livecap_close(l);
        return NULL;
    }
    return l;
}

void livecap_close(struct livecap *l)
{
    if (!l)
        return;
    if (l->p)
        pcap_close(l->p);
    free(l);
}

int livecap_fd(const struct livecap *l) { return l->fd; }
int livecap_linktype(const struct livecap *l) { return l->linktype; }
const char *livecap_linktype_text(const struct livecap *l) { return l->linktype_text; }
uint32_t livecap_snaplen(const struct livecap *l) { return l->snaplen; }
const char *livecap_error(const struct livecap *l) { return l->error; }

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct livecap *l = (struct livecap *)user;
    struct capture_packet pkt;
    pkt.data = bytes;
    pkt.caplen = h->caplen;
    pkt.wirelen = h->len;
    pkt.ts = (tstamp_t)h->ts.tv_sec * TS_PER_SEC + (tstamp_t)h->ts.tv_usec * (l->nano ? 1 : 1000);
    pkt.linktype = l->linktype;
    pkt.pktno = ++l->pktno;
    l->fn(l->ctx, &pkt);
}

int livecap_dispatch(struct livecap *l, int max, void (*fn)(void *ctx, const struct capture_packet *pkt),
                     void *ctx)
{
    l->fn = fn;
    l->ctx = ctx;
    int n = pcap_dispatch(l->p, max, on_packet, (u_char *)l);
    if (n == PCAP_ERROR) {
        snprintf(l->error, sizeof l->error, "%s", why(l->p));
        return -1;
    }
    if (n == PCAP_ERROR_BREAK)
        return 0;
    return n;
}

bool livecap_stats(struct livecap *l, struct livecap_stats *st)
{
    struct pcap_stat s;
    if (pcap_stats(l->p, &s) != 0) {
        *st = l->acc;
        return false;
    }
    /* The counters are 32 bits wide: add what they moved since last time. */
    l->acc.received += (uint32_t)(s.ps_recv - l->last.ps_recv);
    l->acc.kernel_drops += (uint32_t)(s.ps_drop - l->last.ps_drop);
    l->acc.if_drops += (uint32_t)(s.ps_ifdrop - l->last.ps_ifdrop);
    l->last = s;
    *st = l->acc;
    return true;
}

bool livecap_list(FILE *out, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, ebuf) != 0) {
        snprintf(err, errlen, "cannot list the interfaces: %s", ebuf);
        return false;
    }
    int i = 0;
    for (pcap_if_t *d = all; d; d = d->next) {
        fprintf(out, "%d.%s", ++i, d->name);
        if (d->description)
            fprintf(out, " (%s)", d->description);
        fprintf(out, " [%s%s%s%s]\n", (d->flags & PCAP_IF_UP) ? "Up" : "Down",
                (d->flags & PCAP_IF_RUNNING) ? ", Running" : "",
                (d->flags & PCAP_IF_LOOPBACK) ? ", Loopback" : "",
                (d->flags & PCAP_IF_WIRELESS) ? ", Wireless" : "");
    }
    pcap_freealldevs(all);
    if (!i) {
        snprintf(err, errlen, "no interface can be captured on (run as root or grant CAP_NET_RAW to see them all)");
        return false;
    }
    return true;
}
