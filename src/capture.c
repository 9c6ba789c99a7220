/* capture.c - libpcap, offline. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct capture {
    pcap_t *pcap;
    char *source;
    struct bpf_program prog;
    bool have_prog;
    int dlt;
    char dlt_text[96];
    char error[PCAP_ERRBUF_SIZE + 64];
    uint64_t records, filtered, wire_bytes;
};

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct stat sb;

    if (strcmp(path, "-") != 0) {
        if (stat(path, &sb) != 0) {
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
            return NULL;
        }
        if (S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "%s: is a directory, not a capture file", path);
            return NULL;
        }
        if (S_ISREG(sb.st_mode) && sb.st_size == 0) {
            snprintf(err, errlen, "%s: empty file, not a capture file", path);
            return NULL;
        }
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        const char *why = perr;
        if (strstr(perr, "unknown file format"))
            why = "not a pcap or pcapng capture file (unknown file format)";
        else if (strstr(perr, "truncated dump file") || strstr(perr, "truncated pcapng"))
            why = "capture file header is truncated";
        snprintf(err, errlen, "%s: cannot read: %s", strcmp(path, "-") ? path : "standard input", why);
        return NULL;
    }
    struct capture *c = calloc(1, sizeof *c);
    if (!c) {
        pcap_close(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    c->pcap = p;
    c->source = strdup(strcmp(path, "-") ? path : "standard input");
    c->dlt = pcap_datalink(p);
    const char *name = pcap_datalink_val_to_name(c->dlt);
    const char *desc = pcap_datalink_val_to_description(c->dlt);
    if (name)
        snprintf(c->dlt_text, sizeof c->dlt_text, "%s (%s)", name, desc ? desc : name);
    else
        snprintf(c->dlt_text, sizeof c->dlt_text, "link type %d", c->dlt);
    return c;
}

bool capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen)
{
    if (!filter || !*filter)
        return true;
    if (pcap_compile(c->pcap, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "filter \"%s\": %s", filter, pcap_geterr(c->pcap));
        return false;
    }
    c->have_prog = true;
    return true;
}

enum capture_result capture_next(struct capture *c, struct capture_packet *pkt)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(c->pcap, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return CAPTURE_END;
        if (rc != 1) {
            const char *e = pcap_geterr(c->pcap);
            if (strstr(e, "truncated dump file") || strstr(e, "truncated pcapng"))
                snprintf(c->error, sizeof c->error, "file ends in the middle of a packet record (%s)", e);
            else
                snprintf(c->error, sizeof c->error, "%s", e && *e ? e : "unreadable packet record");
            return CAPTURE_DAMAGED;
        }
        c->records++;
        if (c->have_prog && !pcap_offline_filter(&c->prog, h, data)) {
            c->filtered++;
            continue;
        }
        pkt->data = data;
        pkt->caplen = h->caplen;
        pkt->wirelen = h->len;
        pkt->ts = (tstamp_t)h->ts.tv_sec * TS_PER_SEC + (tstamp_t)h->ts.tv_usec;
        pkt->pktno = c->records;
        c->wire_bytes += h->len;
        return CAPTURE_PACKET;
    }
}

const char *capture_error(const struct capture *c) { return c->error; }
int capture_datalink(const struct capture *c) { return c->dlt; }
const char *capture_datalink_text(const struct capture *c) { return c->dlt_text; }
const char *capture_source(const struct capture *c) { return c->source; }
uint64_t capture_records(const struct capture *c) { return c->records; }
uint64_t capture_filtered(const struct capture *c) { return c->filtered; }
uint64_t capture_wire_bytes(const struct capture *c) { return c->wire_bytes; }

void capture_close(struct capture *c)
{
    if (!c)
        return;
    if (c->have_prog)
        pcap_freecode(&c->prog);
    pcap_close(c->pcap);
    free(c->source);
    free(c);
}
