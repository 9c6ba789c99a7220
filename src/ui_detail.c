/* ui_detail.c - one connection in full: both endpoints, handshake, anomalies
 * with their explanations, and its timeline: every kept segment (flags,
 * sequence and acknowledgement numbers relative to the ISNs, window, length)
 * and every endpoint transition, in time order. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "describe.h"
#include "format.h"
#include "tracker.h"
#include "ui_priv.h"

#define MAX_TIMELINE 4000
#define LINE_LEN 320

struct line {
    attr_t a;
    int indent_attr_cols;   /* columns [x0, x1) drawn with attr b */
    int x0, x1;
    attr_t b;
    char text[LINE_LEN];
};

struct lines {
    struct line *l;
    int n, cap;
};

static struct line *add(struct lines *ls, attr_t a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static struct line *add(struct lines *ls, attr_t a, const char *fmt, ...)
{
    if (ls->n == ls->cap) {
        int cap = ls->cap ? ls->cap * 2 : 64;
        struct line *p = realloc(ls->l, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        ls->l = p;
        ls->cap = cap;
    }
    struct line *l = &ls->l[ls->n++];
    memset(l, 0, sizeof *l);
    l->a = a;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    return l;
}

/* text on as many lines as it takes at this width: the first indented by
 * first, the rest by rest */
static void add_wrapped(struct lines *ls, attr_t a, int first, int rest, const char *text, int width)
{
    const char *p = text;
    int indent = first;
    while (*p) {
        int room = width - indent - 1;
        if (room < 20)
            room = 20;
        int n = wrap_width(p, room);
        add(ls, a, "%*s%.*s", indent, "", n, p);
        p += n;
        while (*p == ' ')
            p++;
        indent = rest;
    }
}

static void flags_text(uint8_t f, char buf[12])
{
    int n = 0;
    if (f & TH_SYN)
        buf[n++] = 'S';
    if (f & TH_FIN)
        buf[n++] = 'F';
    if (f & TH_RST)
        buf[n++] = 'R';
    if (f & TH_PSH)
        buf[n++] = 'P';
    if (f & TH_URG)
        buf[n++] = 'U';
    if (f & TH_ECE)
        buf[n++] = 'E';
    if (f & TH_CWR)
        buf[n++] = 'W';
    if (f & TH_ACK)
        buf[n++] = '.';
    if (!n)
        buf[n++] = '-';
    buf[n] = 0;
}

static void endpoint_text(const struct model_row *r, int role, char buf[ENDPOINT_STRLEN])
{
    format_addr_port(&r->addr[role], r->port[role], buf);
}

static const char *rel_time(tstamp_t t, tstamp_t first, char buf[32])
{
    tstamp_t d = t - first;
    const char *sign = d < 0 ? "-" : "+";
    if (d < 0)
        d = -d;
    snprintf(buf, 32, "%s%" PRId64 ".%06" PRId64 "s", sign, (int64_t)(d / TS_PER_SEC), (int64_t)((d % TS_PER_SEC) / 1000));
    return buf;
}

static void build(const struct ui *u, struct lines *ls, int width)
{
    const struct model_detail *d = &u->det;
    const struct model_row *r = &d->row;
    tstamp_t now = u->view ? u->view->now : 0;
    char c[ENDPOINT_STRLEN], s[ENDPOINT_STRLEN], d1[24], d2[24], d3[24], b1[16], tt0[32];
    if (!d->id)
        return;
    if (!r->id) {
        add(ls, A_BOLD, "Connection #%u is no longer tracked, and nothing of it is kept.", (unsigned)d->id);
        return;
    }
    endpoint_text(r, CLIENT, c);
    endpoint_text(r, SERVER, s);
    struct line *l = add(ls, ui_attr(u, CP_TITLE, A_BOLD), "Connection #%u  %s > %s", (unsigned)r->id, c, s);
    if (l && d->gone) {
        size_t n = strlen(l->text);
        char when[32] = "";
        if (d->retire_reason < RETIRE__COUNT)
            snprintf(when, sizeof when, " at %s", rel_time(d->gone_at, r->first, tt0));
        snprintf(l->text + n, sizeof l->text - n, "   [left the table%s: %s]", when,
                 d->retire_reason < RETIRE__COUNT ? retire_reason_name(d->retire_reason) : "before the detail opened");
    }
    /* a connection that has left is shown as it was then: its age, idle
     * time and time in its states stop there */
    if (d->gone && d->retire_reason < RETIRE__COUNT)
        now = d->gone_at > r->last ? d->gone_at : r->last;
    int aw = (int)(strlen(c) > strlen(s) ? strlen(c) : strlen(s));
    for (int role = 0; role < 2; role++) {
        enum state_class sc = model_state_class(r, role);
        const char *st = tcp_state_name(r->state[role]);
        /* a SYN-ACK is the server's SYN: counted as such when it sent one */
        bool synack = d->synacks[role] && !d->syns[role];
        unsigned nsyn = synack ? d->synacks[role] : d->syns[role];
        bool syn_max = synack ? nsyn >= EP_SYNACKS_MAX : nsyn >= EP_SYNS_MAX;
        l = add(ls, A_NORMAL, "%s %-*s  %s for %s%s; sent %" PRIu32 " pkts/%sB, %s %u%s, FIN %u%s",
                role == CLIENT ? "Client" : "Server", aw, role == CLIENT ? c : s, st,
                format_duration(now - r->since[role], d1), (r->epflags[role] & EPF_INFERRED) ? " (inferred)" : "",
                r->pkts[role], format_bytes(r->bytes[role], b1), synack ? "SYN-ACK" : "SYN", nsyn, syn_max ? "+" : "",
                (unsigned)d->fins[role], d->fins[role] >= EP_FINS_MAX ? "+" : "");
        if (l) {
            l->x0 = 7 + aw + 2;
            l->x1 = l->x0 + (int)strlen(st);
            l->b = ui_state_attr(u, sc);
        }
    }
    char t1[40];
    add(ls, A_NORMAL, "Age %s, idle %s; first packet %s UTC", format_duration(now - r->first, d1),
        format_duration(now - r->last, d2), format_time(r->first, t1));
    if (d->have_hs)
        add(ls, A_NORMAL, "Handshake RTT %s (SYN to SYN-ACK %s, SYN-ACK to ACK %s)", format_duration(d->hs_rtt, d1),
            format_duration(d->hs_server, d2), format_duration(d->hs_client, d3));
    else
        add(ls, A_DIM, "Handshake not seen whole%s",
            (r->cflags & CF_PICKED_UP) ? " (picked up mid-stream)" : (r->cflags & CF_SYNACK_FIRST) ? " (SYN missed)" : "");
    add(ls, A_NORMAL, "Retransmissions: client %u, server %u%s", (unsigned)d->retrans[CLIENT],
        (unsigned)d->retrans[SERVER], (r->cflags & CF_REUSED) ? ";  a new incarnation of a reused 4-tuple" : "");

    add(ls, A_NORMAL, "%s", "");
    if (!d->nanoms) {
        add(ls, A_DIM, "No anomaly.");
    } else {
        add(ls, A_BOLD, "Anomalies (%u)", (unsigned)d->nanoms);
        for (uint32_t i = 0; i < d->nanoms; i++) {
            const struct model_anomaly *a = &d->anoms[i];
            const struct anomaly_info *in = anomaly_info(a->id);
            attr_t at = (a->id == AN_CLOSE_WAIT_STUCK || a->id == AN_FIN_WAIT_2_STUCK) ? ui_state_attr(u, SC_STUCK)
                                                                                        : ui_attr(u, CP_ANOM, A_BOLD);
            char t[LINE_LEN];
            snprintf(t, sizeof t, "%s: %s", in->id, a->detail);
            add_wrapped(ls, at, 2, 6, t, width);
            add_wrapped(ls, A_NORMAL, 6, 6, in->explanation, width);
            snprintf(t, sizeof t, "Check: %s", in->check);
            add_wrapped(ls, A_DIM, 6, 6, t, width);
        }
    }

    add(ls, A_NORMAL, "%s", "");
    uint32_t total = d->npkts + d->ntrans;
    uint32_t nicmp = 0;
    for (uint32_t i = 0; i < d->npkts; i++)
        nicmp += d->pkts[i].icmp != 0;
    if (nicmp)
        add(ls, A_BOLD, "Timeline: %u segments, %u ICMP errors, %u transitions (the newest kept in a bounded ring)",
            (unsigned)(d->npkts - nicmp), (unsigned)nicmp, (unsigned)d->ntrans);
    else
        add(ls, A_BOLD, "Timeline: %u segments, %u transitions (the newest kept in a bounded ring)",
            (unsigned)d->npkts, (unsigned)d->ntrans);
    /* WIN is what the receiver may be sent, in bytes: the field shifted by
     * its sender's window scale (never in a SYN), as Wireshark's calculated
     * window; without the handshake the scale is unknown and the raw field
     * is shown, marked so */
    if (!d->scale_known)
        add(ls, A_DIM, "  WIN: the raw window field (the handshake was not seen, so its scale is not known)");
    else if (d->wscale[0] || d->wscale[1])
        add(ls, A_DIM, "  WIN: in bytes, scaled (client shift %u, server shift %u)", (unsigned)d->wscale[0],
            (unsigned)d->wscale[1]);
    add(ls, ui_attr(u, CP_BAR, u->colors ? 0 : A_REVERSE), "%-14s %-4s %-6s %10s %10s %10s %6s  %s", "TIME", "DIR",
        "FLAGS", "SEQ", "ACK", d->scale_known ? "WIN" : "WIN(raw)", "LEN", "");
    /* relative sequence numbers: from each side's ISN, or its first segment
     * kept, or - a side the timeline holds nothing from (a one-sided
     * capture) - the first acknowledgement of it: else its peer's ACK
     * column would show raw 32-bit numbers beside relative ones */
    uint32_t base[2] = { d->isn[0], d->isn[1] };
    bool have[2] = { d->have_isn[0], d->have_isn[1] };
    for (uint32_t i = 0; i < d->npkts; i++) {
        int role = d->pkts[i].role & 1;
        if (!have[role] && !(d->pkts[i].flags & TH_RST) && !d->pkts[i].icmp) {
            base[role] = d->pkts[i].seq;
            have[role] = true;
        }
    }
    for (uint32_t i = 0; i < d->npkts; i++) {
        int peer = !(d->pkts[i].role & 1);
        if (!have[peer] && (d->pkts[i].flags & TH_ACK) && !(d->pkts[i].flags & TH_RST) && !d->pkts[i].icmp) {
            base[peer] = d->pkts[i].ack;
            have[peer] = true;
        }
    }
    uint32_t skip = total > MAX_TIMELINE ? total - MAX_TIMELINE : 0;
    if (skip)
        add(ls, A_DIM, "  (%u older entries not shown)", (unsigned)skip);
    uint32_t ip = 0, it = 0, k = 0;
    while (ip < d->npkts || it < d->ntrans) {
        bool take_pkt = it >= d->ntrans || (ip < d->npkts && d->pkts[ip].ts <= d->trans[it].ts);
        if (k++ < skip) {
            if (take_pkt)
                ip++;
            else
                it++;
            continue;
        }
        char tt[32];
        if (take_pkt) {
            const struct ring_pkt *p = &d->pkts[ip++];
            int role = p->role & 1;
            char f[12], ack[16];
            flags_text(p->flags, f);
            if (p->icmp) {
                /* "+0.000200s     ICMP to client: admin-prohibited, from the
                 * path, about its S seq 0  #2" (the quote may hold no flags) */
                bool flags_known = p->icmp & ICMPK_HAVE_FLAGS;
                l = add(ls, A_NORMAL, "%-14s      ICMP to %s: %s, from %s, about its %s%sseq %" PRIu32 "  #%" PRIu64,
                        rel_time(p->ts, r->first, tt), role == CLIENT ? "client" : "server",
                        icmp_kind_name(p->icmp & ICMPK_KIND_MASK),
                        (p->icmp & ICMPK_FROM_DEST) ? (role == CLIENT ? "the server's host" : "the client's host")
                                                    : "the path",
                        flags_known ? f : "", flags_known ? " " : "", p->seq - base[role], p->pktno);
                if (l) {
                    l->x0 = 20;
                    l->x1 = 24;
                    l->b = ui_attr(u, CP_ANOM, A_BOLD);
                }
                continue;
            }
            if (p->flags & TH_ACK)
                snprintf(ack, sizeof ack, "%" PRIu32, p->ack - base[!role]);
            else
                snprintf(ack, sizeof ack, "-");
            uint64_t win = p->win;
            if (d->scale_known && !(p->flags & TH_SYN))
                win <<= d->wscale[role];
            add(ls, A_NORMAL, "%-14s %-4s %-6s %10" PRIu32 " %10s %10" PRIu64 " %6" PRIu32 "  #%" PRIu64,
                rel_time(p->ts, r->first, tt), role == CLIENT ? "C>S" : "S>C", f, p->seq - base[role], ack,
                win, p->payload_len, p->pktno);
        } else {
            const struct ring_trans *t = &d->trans[it++];
            const char *ev = t->ev == EV_TIMEOUT ? "2MSL timeout" : tcp_event_name(t->ev);
            struct model_row sr;
            memset(&sr, 0, sizeof sr);
            sr.state[t->role & 1] = t->to;
            l = add(ls, A_NORMAL, "%-14s      %s %s -> %s  (%s)", rel_time(t->ts, r->first, tt),
                    t->role == CLIENT ? "client" : "server", tcp_state_name(t->from), tcp_state_name(t->to), ev);
            if (l) {
                l->x0 = 31 + (int)strlen(tcp_state_name(t->from));
                l->x1 = l->x0 + (int)strlen(tcp_state_name(t->to));
                l->b = ui_state_attr(u, model_state_class(&sr, t->role & 1));
            }
        }
    }
}

int ui_detail_lines(const struct ui *u, int width)
{
    struct lines ls = { NULL, 0, 0 };
    build(u, &ls, width);
    free(ls.l);
    return ls.n;
}

void ui_detail_draw(struct ui *u, int y, int h, int width)
{
    struct lines ls = { NULL, 0, 0 };
    build(u, &ls, width);
    if (u->detail.top > ls.n - h)
        u->detail.top = ls.n - h;
    if (u->detail.top < 0)
        u->detail.top = 0;
    /* the first lines (who, states, anomalies) stay; the rest scrolls */
    for (int i = 0; i < h && u->detail.top + i < ls.n; i++) {
        const struct line *l = &ls.l[u->detail.top + i];
        ui_put(y + i, 0, width, l->text, l->a, false);
        if (l->x1 > l->x0 && l->x0 < width)
            ui_put(y + i, l->x0, l->x1 - l->x0 < width - l->x0 ? l->x1 - l->x0 : width - l->x0, l->text + l->x0, l->b,
                   false);
    }
    if (ls.n > h) {
        char t[32];
        snprintf(t, sizeof t, " %d/%d ", u->detail.top + h < ls.n ? u->detail.top + h : ls.n, ls.n);
        ui_put(y + h - 1, width - (int)strlen(t), (int)strlen(t), t, A_REVERSE, false);
    }
    free(ls.l);
}
