/* capture.c - capture files through pcapfile.c, filters through libpcap. */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"
#include "pcaplib.h"

#define MAX_PROGS 8

struct filter_prog {
    int linktype;
    struct bpf_program prog;
};

struct capture {
    struct pcapfile *file;
    char *source;
    char *filter;
    struct filter_prog progs[MAX_PROGS];
    int nprogs;
    char linktype_text[96];
    char error[512];
    uint64_t error_pktno;
    uint64_t records, filtered;
    struct progress *progress;  /* capture_show_progress(); NULL: none */
};

/* LINKTYPE_ values in files that differ from the DLT_ values libpcap's
 * filter compiler expects. */
static int linktype_to_dlt(int lt)
{
    switch (lt) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    default: return lt;
    }
}

/* The names and descriptions libpcap gives the link types tcpfsm decodes
 * (those of libpcap 1.10; tests/unit/test_pcaplib checks them against the
 * libpcap it runs with): reading a file of one of these then needs no
 * libpcap at all (src/pcaplib.h). */
static const struct known_link {
    int dlt;
    const char *name, *desc;
} known_links[] = {
    { DLT_NULL, "NULL", "BSD loopback" },
    { DLT_EN10MB, "EN10MB", "Ethernet" },
    { DLT_PPP, "PPP", "PPP" },
    { DLT_FDDI, "FDDI", "FDDI" },
    { DLT_RAW, "RAW", "Raw IP" },
    { DLT_PPP_SERIAL, "PPP_SERIAL", "PPP over serial" },
    { DLT_PPP_ETHER, "PPP_ETHER", "PPPoE" },
    { DLT_C_HDLC, "C_HDLC", "Cisco HDLC" },
    { DLT_LOOP, "LOOP", "OpenBSD loopback" },
    { DLT_LINUX_SLL, "LINUX_SLL", "Linux cooked v1" },
    { 228 /* DLT_IPV4 */, "IPV4", "Raw IPv4" },
    { 229 /* DLT_IPV6 */, "IPV6", "Raw IPv6" },
    { 276 /* DLT_LINUX_SLL2 */, "LINUX_SLL2", "Linux cooked v2" },
};

bool linktype_known_name(int dlt, const char **name, const char **desc)
{
    for (size_t i = 0; i < sizeof known_links / sizeof known_links[0]; i++)
        if (known_links[i].dlt == dlt) {
            *name = known_links[i].name;
            *desc = known_links[i].desc;
            return true;
        }
    return false;
}

void linktype_text(int lt, char *buf, size_t len)
{
    int dlt = linktype_to_dlt(lt);
    const char *name, *desc;
    if (!linktype_known_name(dlt, &name, &desc)) {
        name = pcap_datalink_val_to_name(dlt);
        desc = pcap_datalink_val_to_description(dlt);
    }
    if (name)
        snprintf(buf, len, "%s (%s)", name, desc ? desc : name);
    else
        snprintf(buf, len, "%d (unknown)", lt);
}

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    return capture_open_file_named(path, strcmp(path, "-") ? path : "standard input", err, errlen);
}

struct capture *capture_open_file_named(const char *path, const char *name, char *err, size_t errlen)
{
    struct pcapfile *f = pcapfile_open_named(path, name, err, errlen);
    if (!f)
        return NULL;
    struct capture *c = calloc(1, sizeof *c);
    if (!c || !(c->source = strdup(name))) {
        free(c);
        pcapfile_close(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    c->file = f;
    if (pcapfile_linktype(f) >= 0)
        linktype_text(pcapfile_linktype(f), c->linktype_text, sizeof c->linktype_text);
    else
        snprintf(c->linktype_text, sizeof c->linktype_text, "none (no interface)");
    return c;
}

static struct bpf_program *compile(struct capture *c, int linktype, char *err, size_t errlen)
{
    for (int i = 0; i < c->nprogs; i++)
        if (c->progs[i].linktype == linktype)
            return &c->progs[i].prog;
    if (c->nprogs == MAX_PROGS) {
        snprintf(err, errlen, "filter: more than %d link types in one file", MAX_PROGS);
        return NULL;
    }
    char why[256];
    if (!pcaplib_load(why, sizeof why)) {
        snprintf(err, errlen, "filter \"%s\": %s", c->filter, why);
        return NULL;
    }
    pcap_t *dead = pcap_open_dead(linktype_to_dlt(linktype), PCAPFILE_MAX_RECORD);
    if (!dead) {
        snprintf(err, errlen, "filter: out of memory");
        return NULL;
    }
    struct filter_prog *fp = &c->progs[c->nprogs];
    if (pcap_compile(dead, &fp->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        char lt[96];
        linktype_text(linktype, lt, sizeof lt);
        snprintf(err, errlen, "filter \"%s\": %s (link type %s)", c->filter, pcap_geterr(dead), lt);
        pcap_close(dead);
        return NULL;
    }
    pcap_close(dead);
    fp->linktype = linktype;
    c->nprogs++;
    return &fp->prog;
}

bool capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen)
{
    if (!filter || !*filter)
        return true;
    c->filter = strdup(filter);
    if (!c->filter) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    /* Compile now for the first link type, so a bad expression is a usage
     * error before anything is read. */
    int lt = pcapfile_linktype(c->file);
    return compile(c, lt >= 0 ? lt : 1 /* Ethernet */, err, errlen) != NULL;
}

void capture_show_progress(struct capture *c, struct progress *p)
{
    c->progress = p;
    pcapfile_show_progress(c->file, p);
}

void capture_progress_done(struct capture *c)
{
    if (c->progress)
        progress_clear(c->progress);
}

enum capture_result capture_next(struct capture *c, struct capture_packet *pkt)
{
    for (;;) {
        enum pcapfile_result r = pcapfile_next(c->file, &pkt->rec);
        if (r == PCAPFILE_END)
            return CAPTURE_END;
        if (r == PCAPFILE_DAMAGED) {
            snprintf(c->error, sizeof c->error, "%s (at byte offset %llu%s)", pcapfile_error(c->file),
                     (unsigned long long)pcapfile_damage_offset(c->file),
                     pcapfile_compressed(c->file) ? " of the decompressed data" : "");
            c->error_pktno = pcapfile_damage_recno(c->file);
            return CAPTURE_DAMAGED;
        }
        c->records++;
        if (c->filter && pkt->linktype >= 0) {
            struct bpf_program *prog = compile(c, pkt->linktype, c->error, sizeof c->error);
            if (!prog)
                return CAPTURE_FAILED;
            struct pcap_pkthdr h;
            h.ts.tv_sec = (time_t)(pkt->ts / TS_PER_SEC);
            h.ts.tv_usec = (suseconds_t)((pkt->ts % TS_PER_SEC) / 1000);
            h.caplen = pkt->caplen;
            h.len = pkt->wirelen;
            if (!pcap_offline_filter(prog, &h, pkt->data)) {
                c->filtered++;
                continue;
            }
        }
        return CAPTURE_PACKET;
    }
}

const char *capture_error(const struct capture *c) { return c->error; }
uint64_t capture_error_pktno(const struct capture *c) { return c->error_pktno; }
int capture_linktype(const struct capture *c) { return pcapfile_linktype(c->file); }
bool capture_single_linktype(const struct capture *c) { return strncmp(pcapfile_format(c->file), "pcapng", 6) != 0; }
const char *capture_linktype_text(const struct capture *c) { return c->linktype_text; }
const char *capture_format(const struct capture *c) { return pcapfile_format(c->file); }
uint64_t capture_size_hint(const struct capture *c) { return pcapfile_size_hint(c->file); }
bool capture_compressed(const struct capture *c) { return pcapfile_compressed(c->file); }
const char *capture_source(const struct capture *c) { return c->source; }

void capture_set_source(struct capture *c, const char *name)
{
    char *n = strdup(name);
    if (n) {
        free(c->source);
        c->source = n;
    }
}
uint64_t capture_records(const struct capture *c) { return c->records; }
uint64_t capture_filtered(const struct capture *c) { return c->filtered; }
uint64_t capture_oversized(const struct capture *c) { return pcapfile_stats(c->file)->oversized; }
uint64_t capture_ts_clamped(const struct capture *c) { return pcapfile_stats(c->file)->ts_clamped; }

void capture_close(struct capture *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nprogs; i++)
        pcap_freecode(&c->progs[i].prog);
    free(c->filter);
    free(c->source);
    pcapfile_close(c->file);
    free(c);
}
