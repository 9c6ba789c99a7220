/* tests/ui/test_ring.c - the live view's ring of recent packets and
 * transitions: what it keeps, in order, within its fixed memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

static int fails, checks;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            fails++;                                                       \
            printf("not ok %d - ", checks);                                \
            printf(__VA_ARGS__);                                           \
            printf(" (%s:%d)\n", __FILE__, __LINE__);                      \
        } else {                                                           \
            printf("ok %d - ", checks);                                    \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

static void add(struct ring *r, uint32_t id, uint32_t n, uint32_t len)
{
    uint8_t buf[2048];
    struct segment seg;
    memset(&seg, 0, sizeof seg);
    seg.ts = (tstamp_t)n * 1000;
    seg.seq = n;
    seg.pktno = n;
    memset(buf, (int)(n & 0xff), sizeof buf);
    ring_add_packet(r, id, (int)(n & 1), &seg.core, buf, len, len + 10, 1);
}

int main(void)
{
    /* 10 000 bytes of arena, at most 100 packets, 8 transitions, 600 bytes each */
    struct ring *r = ring_create(10000, 100, 8, 600);
    CHECK(r != NULL, "ring_create");
    size_t mem = ring_memory(r);

    for (uint32_t n = 1; n <= 50; n++)
        add(r, n % 2 ? 1 : 2, n, 100);
    struct ring_pkt *p;
    uint32_t k = ring_conn_packets(r, 1, &p);
    CHECK(k == 25, "conn 1: its 25 packets are kept (got %u)", (unsigned)k);
    bool order = true, bytes = true;
    for (uint32_t i = 0; i < k; i++) {
        order &= p[i].seq == 2 * i + 1;
        const uint8_t *d = ring_packet_data(r, &p[i]);
        bytes &= p[i].caplen == 100 && d[0] == (uint8_t)p[i].seq && d[99] == (uint8_t)p[i].seq;
    }
    CHECK(order, "oldest first");
    CHECK(bytes, "each packet's bytes intact");
    free(p);

    /* much more traffic than fits: memory does not grow, the newest stay */
    for (uint32_t n = 51; n <= 100000; n++)
        add(r, 3 + n % 7, n, 1 + (n * 37) % 1500);
    CHECK(ring_memory(r) == mem, "memory fixed at %zu bytes whatever the traffic", mem);
    CHECK(ring_packets_added(r) == 100000, "every packet counted");
    CHECK(ring_packets_kept(r) <= 100, "at most 100 kept (%u)", (unsigned)ring_packets_kept(r));
    k = ring_conn_packets(r, 1, &p);
    CHECK(k == 0, "old connection's packets gone");
    free(p);
    uint32_t total = 0;
    bool intact = true, caps = true;
    uint32_t last_seq = 0;
    for (uint32_t id = 3; id < 10; id++) {
        k = ring_conn_packets(r, id, &p);
        for (uint32_t i = 0; i < k; i++) {
            const uint8_t *d = ring_packet_data(r, &p[i]);
            intact &= p[i].caplen == 0 || (d[0] == (uint8_t)p[i].seq && d[p[i].caplen - 1] == (uint8_t)p[i].seq);
            caps &= p[i].caplen <= 600 && p[i].wirelen == (1 + (p[i].seq * 37) % 1500) + 10;
            if (p[i].seq > last_seq)
                last_seq = p[i].seq;
        }
        total += k;
        free(p);
    }
    CHECK(total == ring_packets_kept(r) && total > 5, "the kept packets are the ring's (%u)", (unsigned)total);
    CHECK(intact, "no kept packet's bytes were overwritten");
    CHECK(caps, "bytes kept capped at 600, wire length kept");
    CHECK(last_seq == 100000, "the newest packet is kept");

    /* transitions: the last 8 */
    for (uint32_t n = 1; n <= 20; n++)
        ring_add_transition(r, n % 2 ? 5 : 6, 0, ST_ESTABLISHED, ST_CLOSE_WAIT, EV_RCV_FIN, (tstamp_t)n);
    struct ring_trans *t;
    k = ring_conn_transitions(r, 5, &t);
    CHECK(k == 4 && t[0].ts == 13 && t[3].ts == 19, "transitions: the newest 8 kept, 4 of conn 5, oldest first");
    free(t);
    ring_destroy(r);
    printf("# %d checks, %d failed\n", checks, fails);
    return fails ? 1 : 0;
}
