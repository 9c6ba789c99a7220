/* tests/fuzz/fuzz_packets.c - libFuzzer target: a sequence of packets
 * through decode_packet, the tracker, the analysis, every report format and
 * the zeek engine (tests/fuzz/pipeline.c).
 *
 * Input format (tests/fuzz/mkseeds.py writes it from capture files):
 *
 *   header, 4 bytes:
 *     [0] link type: an index into links[] below (modulo its size);
 *         0xff: every record carries its own link type byte
 *     [1] options: bit 0 text --all; bit 1 zeek verifies checksums;
 *         bits 2-3 zeek server ports (default, none, "default,111,8080",
 *         "22"); bit 4 --select "rst-abort,refused,1,2" instead of any
 *         anomaly; bit 5 no idle timeout; bits 6-7 MSL 2 s, 60 ms, 30 s, 1 ns
 *     [2] tables: max-conns 1 + (b & 15); max anomalies 1 + (b >> 4) * 4
 *     [3] time: bits 0-1 the first timestamp (2023, 0, 100 s before the
 *         reader's largest (PCAPFILE_MAX_TS), that largest itself);
 *         bits 2-7 analysis thresholds (flood rate, pileup)
 *   records, until the input ends:
 *     u16 (little-endian) captured length (cut to the bytes left)
 *     u16 time step: below 0x8000 that many 10 us; below 0xf000 that many
 *         seconds past 0x8000; else that many ms backwards past 0xf000.
 *         Timestamps stay within [0, PCAPFILE_MAX_TS], as src/pcapfile.c
 *         clamps them: the rest of tcpfsm relies on that range.
 *     u8  wire length beyond the captured: bit 7 set: (b & 127) KiB, else b
 *     [u8 link type index, if header[0] is 0xff]
 *     the packet bytes
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"
#include "pipeline.h"

/* Link types: everything decode_packet knows, and some it does not. */
static const int links[] = {
    1,      /* EN10MB */
    113,    /* LINUX_SLL */
    276,    /* LINUX_SLL2 */
    101,    /* LINKTYPE_RAW */
    12,     /* DLT_RAW (BSD) */
    14,     /* DLT_RAW (OpenBSD) */
    228,    /* IPV4 */
    229,    /* IPV6 */
    0,      /* NULL (BSD loopback) */
    108,    /* LOOP */
    9,      /* PPP */
    50,     /* PPP_SERIAL */
    104,    /* C_HDLC */
    51,     /* PPP_ETHER (PPPoE) */
    10,     /* FDDI */
    105,    /* IEEE802_11 */
    -1,     /* a pcapng packet on an undescribed interface */
    147,    /* USER0: not decoded */
    242,    /* IPOIB */
    7,      /* ARCNET (BSD) */
    129,    /* ARCNET_LINUX */
    178,    /* JUNIPER_ETHER */
    127,    /* IEEE802_11_RADIO (radiotap) */
    192,    /* PPI */
    119,    /* PRISM_HEADER */
    163,    /* IEEE802_11_RADIO_AVS */
    239,    /* NFLOG */
    258,    /* PKTAP */
    149,    /* USER2: PKTAP if its header says so */
    117,    /* PFLOG */
    109,    /* ENC */
    226,    /* IPNET */
    8,      /* SLIP */
    219,    /* MPLS */
    240,    /* NETANALYZER */
    241,    /* NETANALYZER_TRANSPARENT */
    195,    /* IEEE802_15_4: not decoded */
};
#define NLINKS (sizeof links / sizeof links[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3];
    data += 4;
    size -= 4;

    struct fz_config cfg;
    fz_config_small(&cfg);
    cfg.all = h1 & 1;
    cfg.zeek_verify = h1 & 2;
    static const char *const ports[] = { NULL, "none", "default,111,8080", "22" };
    cfg.zeek_ports = ports[(h1 >> 2) & 3];
    cfg.select = (h1 & 16) ? "rst-abort,refused,1,2" : NULL;
    if (h1 & 32)
        cfg.idle_timeout = 0;
    static const tstamp_t msl[] = { 2 * TS_PER_SEC, 60 * TS_PER_MS, 30 * TS_PER_SEC, 1 };
    cfg.msl = msl[h1 >> 6];
    cfg.max_conns = 1 + (h2 & 15);
    cfg.max_anomalies = 1 + (uint32_t)(h2 >> 4) * 4;
    cfg.flood_rate = 1 + ((h3 >> 2) & 7);
    cfg.pileup = 1 + (h3 >> 5);

    static const tstamp_t base[] = {
        1700000000 * TS_PER_SEC,
        0,
        PCAPFILE_MAX_TS - 100 * TS_PER_SEC,
        PCAPFILE_MAX_TS,
    };
    int64_t ts = base[h3 & 3];

    struct fz_run *r = fz_start(&cfg);
    if (!r)
        return 0;
    bool per_record_link = h0 == 0xff;
    int link = links[h0 % NLINKS];
    uint64_t pktno = 0;
    size_t hdr = per_record_link ? 6 : 5;
    while (size >= hdr) {
        uint32_t caplen = (uint32_t)data[0] | (uint32_t)data[1] << 8;
        uint32_t step = (uint32_t)data[2] | (uint32_t)data[3] << 8;
        uint8_t extra = data[4];
        if (per_record_link)
            link = links[data[5] % NLINKS];
        data += hdr;
        size -= hdr;
        if (caplen > size)
            caplen = (uint32_t)size;
        /* as the reader clamps: within [0, PCAPFILE_MAX_TS] */
        if (step < 0x8000)
            ts += (int64_t)step * 10000;
        else if (step < 0xf000)
            ts += (int64_t)(step - 0x8000) * TS_PER_SEC;
        else
            ts -= (int64_t)(step - 0xf000) * TS_PER_MS;
        if (ts < 0)
            ts = 0;
        if (ts > PCAPFILE_MAX_TS)
            ts = PCAPFILE_MAX_TS;
        uint32_t wirelen = caplen + ((extra & 0x80) ? (uint32_t)(extra & 0x7f) * 1024 : extra);
        /* The packet in a buffer of its own, so that ASan sees reads past it. */
        uint8_t *pkt = malloc(caplen ? caplen : 1);
        if (!pkt)
            break;
        memcpy(pkt, data, caplen);
        fz_packet(r, link, pkt, caplen, wirelen, ts, ++pktno);
        free(pkt);
        data += caplen;
        size -= caplen;
    }
    struct fz_source src;
    memset(&src, 0, sizeof src);
    fz_finish(r, &src);
    fz_free(r);
    return 0;
}
