/* decode.c - link layer, tunnels, IPv4/IPv6 and TCP header decoding.
 *
 * Each layer gets a `struct layer`: the bytes captured for it and its length
 * on the wire.  Reads go through bytes.h only.  A layer that is cut short by
 * the snapshot length is "truncated"; a layer whose own length fields
 * contradict each other is "malformed".  Payload lengths come from the IP
 * header (the wire), never from what was captured, so byte counts stay right
 * on captures taken with a small snapshot length. */
#include "decode.h"

#include <pcap/pcap.h>
#include <string.h>

#include "bytes.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_IPOIB
#define DLT_IPOIB 242
#endif
#ifndef DLT_ARCNET_LINUX
#define DLT_ARCNET_LINUX 129
#endif
#ifndef DLT_JUNIPER_ETHER
#define DLT_JUNIPER_ETHER 178
#endif
/* Link types whose DLT_ value some libpcap headers lack or give another
 * number (the LINKTYPE_ value, as in files, is used throughout). */
enum {
    LT_SLIP = 8,
    LT_IEEE802_11 = 105,
    LT_ENC = 109,               /* OpenBSD IPsec enc(4) */
    LT_PFLOG = 117,             /* OpenBSD/FreeBSD pf's log */
    LT_PRISM = 119,
    LT_RADIOTAP = 127,
    LT_USER2 = 149,             /* what Apple's libpcap once wrote for PKTAP */
    LT_AVS = 163,
    LT_PPI = 192,
    LT_MPLS = 219,
    LT_IPNET = 226,             /* Solaris ipnet */
    LT_NFLOG = 239,             /* Linux netfilter NFLOG */
    LT_NETANALYZER = 240,
    LT_NETANALYZER_TRANSPARENT = 241,
    LT_PKTAP = 258,             /* Apple: macOS tcpdump -i any, -k */
};

/* Every field of a decoded segment starts at zero.  Copied from a zero
 * segment rather than memset(): gcc makes a 192-byte memset a `rep stos`,
 * whose start-up cost and stores that later loads cannot forward from took
 * three quarters of decode_packet()'s time (perf annotate); a copy becomes
 * a dozen 16-byte stores. */
static const struct segment zero_segment;

/* Tunnels inside tunnels are legal; loops of them are an attack. */
#define MAX_TUNNEL_DEPTH 4
/* An IPv6 header chain longer than this is treated as malformed. */
#define MAX_IPV6_EXT 16

enum {
    ETH_IPV4 = 0x0800,
    ETH_IPV6 = 0x86dd,
    ETH_VLAN = 0x8100,      /* 802.1Q */
    ETH_QINQ = 0x88a8,      /* 802.1ad */
    ETH_QINQ_OLD1 = 0x9100, /* pre-standard QinQ tags */
    ETH_QINQ_OLD2 = 0x9200,
    ETH_MPLS = 0x8847,
    ETH_MPLS_MC = 0x8848,
    ETH_PPPOE = 0x8864,
    ETH_TEB = 0x6558,       /* transparent Ethernet bridging (GRE, Geneve) */
    ETH_ERSPAN2 = 0x88be,
    ETH_ERSPAN3 = 0x22eb,
    ETH_PPP = 0x880b,       /* PPTP's enhanced GRE carries PPP */
    ETH_WCCP = 0x883e,      /* WCCP redirection in GRE */
    ETH_PBB = 0x88e7,       /* 802.1ah provider backbone bridging: I-TAG, then a frame */
    ETH_FABRICPATH = 0x8903,/* Cisco FabricPath: 2 more bytes, then a frame */
    ETH_VNTAG = 0x8926,     /* Cisco VN-Tag: 4 bytes, then an ethertype */
};

enum {
    IPPROTO_ICMP_ = 1,
    IPPROTO_IPIP_ = 4,
    IPPROTO_TCP_ = 6,
    IPPROTO_UDP_ = 17,
    IPPROTO_IPV6_ = 41,
    IPPROTO_GRE_ = 47,
    IPPROTO_ESP_ = 50,
    IPPROTO_AH_ = 51,
    IPPROTO_NONE_ = 59,
    IPPROTO_ICMPV6_ = 58,
};

/* A layer: 16 bytes, so that it is passed and returned in two registers.
 * (As a struct bytes and a length, 24 bytes, it went through memory at each
 * call, written with two 8-byte stores and read back with one 16-byte load
 * that the processor cannot forward from them: a stall at every layer of
 * every packet, a tenth of the reading thread's time - perf annotate.) */
struct layer {
    const uint8_t *p;   /* the bytes captured for this layer and beyond */
    uint32_t caplen;    /* ... how many (a record holds at most 256 KiB) */
    uint32_t wire;      /* its length on the wire */
};

/* The layer's captured bytes, to read through bytes.h. */
static inline struct bytes cap_of(struct layer l) { return bytes_make(l.p, l.caplen); }

static inline struct layer layer_of(struct bytes cap, uint32_t wire)
{
    struct layer r = { cap.p, (uint32_t)cap.len, wire };
    return r;
}

static struct layer layer_skip(struct layer l, uint32_t n)
{
    return layer_of(bytes_from(cap_of(l), n), l.wire > n ? l.wire - n : 0);
}

/* Keep only the first n bytes (a length field says the rest is padding). */
static struct layer layer_trim(struct layer l, uint32_t n)
{
    return layer_of(bytes_prefix(cap_of(l), n), n < l.wire ? n : l.wire);
}

static enum decode_outcome decode_ether(struct layer l, int depth, struct segment *seg);
static enum decode_outcome decode_ip(struct layer l, int depth, struct segment *seg);
static enum decode_outcome decode_ipv4(struct layer l, int depth, struct segment *seg);
static enum decode_outcome decode_ipv6(struct layer l, int depth, struct segment *seg);
static enum decode_outcome decode_ethertype(uint16_t type, struct layer l, int depth,
                                            struct segment *seg);
static enum decode_outcome decode_link(int dlt, struct layer l, bool inner, struct segment *seg);

/* ---------------------------------------------------------------- TCP --- */

static void decode_tcp_options(struct bytes hdr, uint32_t hdr_len, struct segment *seg)
{
    /* The layout of nearly every segment of a connection with timestamps
     * (RFC 7323 appendix A; what Linux and the BSDs send): two NOPs, then
     * the timestamps, filling the option space.  Read at once, as the
     * loop below would read it. */
    uint32_t lead;
    if (hdr_len == 32 && bytes_has(hdr, 20, 12) && bytes_be32(hdr, 20, &lead) && lead == 0x0101080au &&
        bytes_be32(hdr, 24, &seg->tsval) && bytes_be32(hdr, 28, &seg->tsecr)) {
        seg->opts |= OPT_TIMESTAMP;
        return;
    }
    uint32_t off = 20;
    while (off < hdr_len) {
        uint8_t kind, len;
        if (!bytes_u8(hdr, off, &kind)) {
            seg->opts |= OPT_TRUNCATED;
            return;
        }
        if (kind == 0)          /* end of option list */
            return;
        if (kind == 1) {        /* no-operation */
            off++;
            continue;
        }
        if (!bytes_u8(hdr, off + 1, &len)) {
            seg->opts |= (off + 1 < hdr_len) ? OPT_TRUNCATED : OPT_MALFORMED;
            return;
        }
        if (len < 2 || off + len > hdr_len) {
            seg->opts |= OPT_MALFORMED;
            return;
        }
        if (!bytes_has(hdr, off, len)) {
            seg->opts |= OPT_TRUNCATED;
            return;
        }
        switch (kind) {
        case 2:                 /* maximum segment size */
            if (len == 4 && bytes_be16(hdr, off + 2, &seg->mss))
                seg->opts |= OPT_MSS;
            break;
        case 3:                 /* window scale (RFC 7323: at most 14) */
            if (len == 3 && bytes_u8(hdr, off + 2, &seg->wscale)) {
                if (seg->wscale > 14)
                    seg->wscale = 14;
                seg->opts |= OPT_WSCALE;
            }
            break;
        case 4:                 /* SACK permitted */
            if (len == 2)
                seg->opts |= OPT_SACK_PERM;
            break;
        case 5:                 /* SACK blocks */
            if (len >= 10 && (len - 2) % 8 == 0) {
                seg->opts |= OPT_SACK;
                for (uint32_t i = 0; i < (uint32_t)(len - 2) / 8 && seg->nsack < SEG_MAX_SACK; i++) {
                    uint32_t o = off + 2 + i * 8;
                    if (bytes_be32(hdr, o, &seg->sack[seg->nsack][0]) &&
                        bytes_be32(hdr, o + 4, &seg->sack[seg->nsack][1]))
                        seg->nsack++;
                }
            }
            break;
        case 8:                 /* timestamps */
            if (len == 10 && bytes_be32(hdr, off + 2, &seg->tsval) &&
                bytes_be32(hdr, off + 6, &seg->tsecr))
                seg->opts |= OPT_TIMESTAMP;
            break;
        default:
            break;
        }
        off += len;
    }
}

static enum decode_outcome decode_tcp(struct layer l, struct segment *seg)
{
    uint8_t doff, flags;

    /* Ports, sequence, acknowledgement, data offset and flags occupy the
     * first 14 bytes: with those we can track state even if the snapshot
     * length cut the rest. */
    if (!bytes_has(cap_of(l), 0, 14))
        return l.wire < 20 ? DEC_BAD_TCP : DEC_TRUNC_TCP;
    if (!bytes_be16(cap_of(l), 0, &seg->sport) || !bytes_be16(cap_of(l), 2, &seg->dport) ||
        !bytes_be32(cap_of(l), 4, &seg->seq) || !bytes_be32(cap_of(l), 8, &seg->ack) ||
        !bytes_u8(cap_of(l), 12, &doff) || !bytes_u8(cap_of(l), 13, &flags))
        return DEC_TRUNC_TCP;
    seg->hdr_len = (uint8_t)((doff >> 4) * 4);
    seg->flags = flags;
    if (seg->hdr_len < 20 || seg->hdr_len > l.wire)
        return DEC_BAD_TCP;
    seg->tcp_hdr = cap_of(l).p;
    seg->tcp_caplen = (uint32_t)cap_of(l).len;
    seg->have_win = bytes_be16(cap_of(l), 14, &seg->win);
    seg->payload_len = l.wire - seg->hdr_len;
    seg->hdr_truncated = !bytes_has(cap_of(l), 0, seg->hdr_len);
    decode_tcp_options(cap_of(l), seg->hdr_len, seg);
    return DEC_TCP;
}

/* --------------------------------------------------------- ICMP errors --- */

/* The kind of an ICMP (v6: ICMPv6) error a TCP sender acts on, or
 * ICMPK_NONE: destination unreachable (but not "fragmentation needed" or
 * "packet too big", which path MTU discovery answers by sending smaller
 * segments), time exceeded and parameter problem (RFC 792, RFC 1812
 * 5.2.7.1, RFC 4443; Linux's tcp_v4_err() and tcp_v6_err() end a
 * connection attempt on each).  All three quote the datagram from their
 * eighth byte on. */
static uint8_t icmp_kind(bool v6, uint8_t type, uint8_t code)
{
    if (!v6) {
        if (type == 11)
            return ICMPK_TIME_EXCEEDED;
        if (type == 12)
            return ICMPK_PARAM_PROBLEM;
        if (type != 3)
            return ICMPK_NONE;
        switch (code) {
        case 0: case 6: case 11: return ICMPK_NET_UNREACH;
        case 1: case 7: case 8: case 12: return ICMPK_HOST_UNREACH;
        case 2: return ICMPK_PROTO_UNREACH;
        case 3: return ICMPK_PORT_UNREACH;
        case 4: return ICMPK_NONE;      /* fragmentation needed: path MTU */
        case 9: case 10: case 13: case 14: case 15: return ICMPK_ADMIN;
        default: return ICMPK_UNREACH_OTHER;
        }
    }
    if (type == 3)
        return ICMPK_TIME_EXCEEDED;
    if (type == 4)
        return ICMPK_PARAM_PROBLEM;
    if (type != 1)
        return ICMPK_NONE;              /* (2: packet too big: path MTU) */
    switch (code) {
    case 0: return ICMPK_NET_UNREACH;
    case 3: return ICMPK_HOST_UNREACH;
    case 4: return ICMPK_PORT_UNREACH;
    case 1: case 5: case 6: return ICMPK_ADMIN;
    default: return ICMPK_UNREACH_OTHER;
    }
}

/* The final destination in routing header h (len bytes, all of them in h)
 * of a packet still on its way to it (segments left): RFC 8200 8.1 - the
 * header's destination address is then only the next waypoint, while the
 * connection's end, the one its peer answers from and the one the TCP
 * checksum covers, is the last address of a type 0 header, or the first of
 * a segment routing header's list (type 4, RFC 8754: kept in reverse
 * order; a "reduced" header leaves out the first segment, which is the
 * destination address, so one more may be left than it lists).  Not type
 * 2 (Mobile IPv6): its home address is only half of the story - the
 * answers come from the care-of address with the home address in a
 * destination option - and both directions agree on the care-of address
 * as they are.  False (dst left alone) for another type, none left, or a
 * header whose counts disagree with its length. */
static bool route_final_dst(struct bytes h, uint32_t len, uint8_t dst[16])
{
    uint8_t type, left, last;
    uint32_t at;
    if (!bytes_u8(h, 2, &type) || !bytes_u8(h, 3, &left) || left == 0)
        return false;
    switch (type) {
    case 0: {
        uint32_t n = (len - 8) / 16;
        if (n == 0 || left > n)
            return false;
        at = 8 + 16 * (n - 1);
        break;
    }
    case 4:
        if (!bytes_u8(h, 4, &last) || left > last + 1u || len < 8 + 16u * (last + 1u))
            return false;
        at = 8;
        break;
    default:
        return false;
    }
    return bytes_copy(h, at, dst, 16);
}

/* An ICMP error: if it quotes the start of a TCP segment (an IP header of
 * its own family, then at least the 8 bytes of ports and sequence number),
 * seg becomes that segment, as sent, with seg->icmp saying what came back.
 * Anything else is ordinary non-TCP traffic, as before: the quote is only
 * as long as the router chose, and a short or odd one is not malformed. */
static enum decode_outcome decode_icmp(struct layer l, bool v6, struct segment *seg)
{
    uint8_t type, code, kind;
    if (!bytes_u8(cap_of(l), 0, &type) || !bytes_u8(cap_of(l), 1, &code))
        return DEC_NOT_TCP;
    kind = icmp_kind(v6, type, code);
    if (!kind || seg->frag_ip)         /* (a fragmented error: left alone) */
        return DEC_NOT_TCP;
    struct bytes q = cap_of(layer_skip(l, 8));      /* the quoted datagram */
    struct flow_addr outer_src = seg->src;
    uint8_t v, proto;
    uint32_t ihl;
    if (!bytes_u8(q, 0, &v))
        return DEC_NOT_TCP;
    if (!v6) {
        uint16_t frag;
        ihl = (v & 0x0f) * 4u;
        if (v >> 4 != 4 || ihl < 20 || !bytes_u8(q, 9, &proto) || !bytes_be16(q, 6, &frag) ||
            proto != IPPROTO_TCP_ || (frag & 0x1fff) || !bytes_copy(q, 12, seg->src.b, 4) ||
            !bytes_copy(q, 16, seg->dst.b, 4))
            return DEC_NOT_TCP;
        memset(seg->src.b + 4, 0, 12);
        memset(seg->dst.b + 4, 0, 12);
    } else {
        if (v >> 4 != 6 || !bytes_u8(q, 6, &proto) || !bytes_copy(q, 8, seg->src.b, 16) ||
            !bytes_copy(q, 24, seg->dst.b, 16))
            return DEC_NOT_TCP;
        /* the quoted datagram's extension headers, as decode_ipv6() walks
         * them (the datagram as sent: a hop-by-hop or destination options
         * header, a routing header, the fragment header of a first
         * fragment); a later fragment quotes no TCP header */
        ihl = 40;
        bool routed = false;
        for (int n = 0; proto != IPPROTO_TCP_; n++) {
            uint8_t next, hlen;
            uint16_t fo;
            uint32_t len;
            if (n >= MAX_IPV6_EXT)
                return DEC_NOT_TCP;
            switch (proto) {
            case 0: case 43: case 60: case 135: case 139: case 140: case IPPROTO_AH_:
                if (!bytes_u8(q, ihl, &next) || !bytes_u8(q, ihl + 1, &hlen))
                    return DEC_NOT_TCP;
                len = proto == IPPROTO_AH_ ? (hlen + 2u) * 4 : (hlen + 1u) * 8;
                /* (the quote as sent: its destination the next waypoint) */
                if (proto == 43 && !routed && bytes_has(q, ihl, len))
                    routed = route_final_dst(bytes_from(q, ihl), len, seg->dst.b);
                ihl += len;
                break;
            case 44:
                if (!bytes_u8(q, ihl, &next) || !bytes_be16(q, ihl + 2, &fo) || (fo & 0xfff8))
                    return DEC_NOT_TCP;
                ihl += 8;
                break;
            default:
                return DEC_NOT_TCP;
            }
            proto = next;
        }
    }
    if (!bytes_be16(q, ihl, &seg->sport) || !bytes_be16(q, ihl + 2, &seg->dport) ||
        !bytes_be32(q, ihl + 4, &seg->seq))
        return DEC_NOT_TCP;
    uint8_t flags;
    if (bytes_be32(q, ihl + 8, &seg->ack) && bytes_u8(q, ihl + 13, &flags)) {
        seg->flags = flags;
        kind |= ICMPK_HAVE_FLAGS;
    } else {
        seg->ack = 0;
        seg->flags = 0;
    }
    if (addr_cmp(&outer_src, &seg->dst) == 0)
        kind |= ICMPK_FROM_DEST;
    seg->icmp = kind;
    /* nothing of the quoted segment's length, window or options is used */
    seg->payload_len = 0;
    seg->have_win = false;
    seg->opts = 0;
    seg->hdr_len = 0;
    seg->tcp_hdr = NULL;
    seg->tcp_caplen = 0;
    return DEC_ICMP_ERROR;
}

/* ------------------------------------------------------- UDP tunnels --- */

/* Ports on which a UDP payload is decoded as a tunnel.  A payload that does
 * not decode is counted as ordinary non-TCP traffic, not as malformed: the
 * port is only a hint. */
enum {
    PORT_TEREDO = 3544,
    PORT_GRE_UDP = 4754,
    PORT_VXLAN = 4789,
    PORT_AYIYA = 5072,
    PORT_GENEVE = 6081,
    PORT_GTPU = 2152,
};

static enum decode_outcome tunnel_result(enum decode_outcome o)
{
    return decode_outcome_malformed(o) ? DEC_NOT_TCP : o;
}

/* Tunnel kinds for seg->encap. */
enum {
    ENCAP_IP = 1,       /* IP in IP */
    ENCAP_GRE,
    ENCAP_VXLAN,
    ENCAP_GENEVE,
    ENCAP_GRE_UDP,
    ENCAP_TEREDO,
    ENCAP_AYIYA,
    ENCAP_GTPU,
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t endpoint_hash(const struct flow_addr *a, uint16_t port)
{
    uint64_t h = mix64(((uint64_t)a->family << 16 | port) + 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 16; i += 8) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = w << 8 | a->b[i + j];
        h = mix64(h ^ w);
    }
    return h;
}

/* Fold a tunnel layer into seg->encap: its kind and its two endpoints (the
 * addresses now in seg->src and seg->dst, with the given ports), ordered so
 * that both directions of a tunnel give the same value, as Zeek compares
 * them.  Pass port 0 where Zeek does not compare ports. */
static void encap_push(struct segment *seg, unsigned kind, uint16_t sport, uint16_t dport)
{
    uint64_t a = endpoint_hash(&seg->src, sport), b = endpoint_hash(&seg->dst, dport);
    if (a > b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    uint64_t h = mix64(seg->encap ^ mix64(kind));
    h = mix64(h ^ a);
    h = mix64(h + b);
    seg->encap = h ? h : 1;
}

static enum decode_outcome decode_gre_payload(uint16_t proto, struct layer l, int depth,
                                              struct segment *seg);

static enum decode_outcome decode_gtpu(struct layer l, int depth, struct segment *seg)
{
    uint8_t flags, type;
    uint32_t off = 8;
    if (!bytes_u8(cap_of(l), 0, &flags) || !bytes_u8(cap_of(l), 1, &type))
        return DEC_NOT_TCP;
    if ((flags >> 5) != 1 || type != 0xff)  /* GTPv1, G-PDU */
        return DEC_NOT_TCP;
    if (flags & 0x07) {                     /* E, S or PN: 4 more bytes */
        uint8_t next;
        off = 12;
        if (!bytes_u8(cap_of(l), 11, &next))
            return DEC_NOT_TCP;
        /* extension headers: length in 4-byte units, then next type */
        for (int i = 0; next != 0 && i < 8; i++) {
            uint8_t elen;
            if (!bytes_u8(cap_of(l), off, &elen) || elen == 0)
                return DEC_NOT_TCP;
            off += (uint32_t)elen * 4;
            if (!bytes_u8(cap_of(l), off - 1, &next))
                return DEC_NOT_TCP;
        }
    }
    return tunnel_result(decode_ip(layer_skip(l, off), depth, seg));
}

/* Teredo (RFC 4380): optional authentication (type 0x0001) and origin
 * indication (0x0000) headers, then an IPv6 packet that fills the rest of
 * the datagram.  Only a bubble (no next header, no payload) may be followed
 * by stray bytes. */
static enum decode_outcome decode_teredo(struct layer p, int depth, struct segment *seg)
{
    uint32_t off = 0;
    uint16_t ind, plen;
    uint8_t v, nh;
    if (bytes_be16(cap_of(p), 0, &ind) && ind == 0x0001) {
        uint8_t idlen, aulen;
        if (!bytes_u8(cap_of(p), 2, &idlen) || !bytes_u8(cap_of(p), 3, &aulen))
            return DEC_NOT_TCP;
        off = 4u + idlen + aulen + 8 + 1;
    }
    if (bytes_be16(cap_of(p), off, &ind) && ind == 0x0000)
        off += 8;
    if (!bytes_u8(cap_of(p), off, &v) || (v >> 4) != 6 || !bytes_be16(cap_of(p), off + 4, &plen) ||
        !bytes_u8(cap_of(p), off + 6, &nh))
        return DEC_NOT_TCP;
    if (p.wire < off || p.wire - off < 40u + plen)
        return DEC_NOT_TCP;     /* inner packet longer than the datagram */
    if (p.wire - off > 40u + plen && !(nh == IPPROTO_NONE_ && plen == 0))
        return DEC_NOT_TCP;     /* bytes after the inner packet */
    return tunnel_result(decode_ipv6(layer_skip(p, off), depth, seg));
}

static bool bytes_is_teredo_prefix(struct bytes b, size_t off)
{
    uint32_t v = 0;     /* (set when read: for -O1's -Wmaybe-uninitialized) */
    return bytes_be32(b, off, &v) && v == 0x20010000u;
}

/* Zeek's Teredo protocol detection for UDP on other ports: an IPv6 header
 * with a Teredo (2001:0::/32) source or destination address, or Teredo
 * authentication / origin indication headers in front of an IPv6 header. */
static bool teredo_detect(struct layer p)
{
    uint8_t b0, b1;
    if (p.wire < 40 || !bytes_u8(cap_of(p), 0, &b0) || !bytes_u8(cap_of(p), 1, &b1))
        return false;
    if ((b0 >> 4) != 6 && (b0 != 0 || (b1 != 0 && b1 != 1)))
        return false;
    if ((b0 >> 4) == 6 && bytes_has(cap_of(p), 0, 40) &&
        (bytes_is_teredo_prefix(cap_of(p), 8) || bytes_is_teredo_prefix(cap_of(p), 24)))
        return true;
    uint32_t off = 0, len = p.wire;
    uint16_t val = b1;
    if (val == 1) {
        uint8_t idlen, aulen;
        if (!bytes_u8(cap_of(p), 2, &idlen) || !bytes_u8(cap_of(p), 3, &aulen))
            return false;
        off = 13u + idlen + aulen;
        if (len < off || len - off < 40 || !bytes_be16(cap_of(p), off, &val))
            return false;
    }
    if (val == 0) {
        uint8_t v;
        off += 8;
        if (len < off || len - off < 40 || !bytes_u8(cap_of(p), off, &v))
            return false;
        return (v >> 4) == 6;
    }
    return false;
}

static enum decode_outcome decode_udp(struct layer l, int depth, struct segment *seg)
{
    uint16_t sport, dport, ulen;
    if (!bytes_be16(cap_of(l), 0, &sport) || !bytes_be16(cap_of(l), 2, &dport) ||
        !bytes_be16(cap_of(l), 4, &ulen))
        return DEC_NOT_TCP;
    if (depth >= MAX_TUNNEL_DEPTH)
        return DEC_NOT_TCP;
    if (ulen >= 8 && ulen < l.wire)
        l = layer_trim(l, ulen);
    struct layer p = layer_skip(l, 8);
    depth++;
#define EITHER(port) (sport == (port) || dport == (port))
    if (EITHER(PORT_VXLAN)) {
        uint8_t flags;
        encap_push(seg, ENCAP_VXLAN, 0, 0);
        if (!bytes_u8(cap_of(p), 0, &flags) || !(flags & 0x08))
            return DEC_NOT_TCP;
        return tunnel_result(decode_ether(layer_skip(p, 8), depth, seg));
    }
    if (EITHER(PORT_GENEVE)) {
        uint8_t vlen;
        uint16_t proto;
        encap_push(seg, ENCAP_GENEVE, 0, 0);
        if (!bytes_u8(cap_of(p), 0, &vlen) || !bytes_be16(cap_of(p), 2, &proto) || (vlen >> 6) != 0)
            return DEC_NOT_TCP;
        return tunnel_result(decode_gre_payload(proto, layer_skip(p, 8 + (vlen & 0x3f) * 4u),
                                                depth, seg));
    }
    if (EITHER(PORT_GTPU)) {
        encap_push(seg, ENCAP_GTPU, sport, dport);
        return decode_gtpu(p, depth, seg);
    }
    if (EITHER(PORT_GRE_UDP)) {
        uint16_t proto;
        encap_push(seg, ENCAP_GRE_UDP, 0, 0);
        if (!bytes_be16(cap_of(p), 2, &proto))
            return DEC_NOT_TCP;
        return tunnel_result(decode_gre_payload(proto, layer_skip(p, 4), depth, seg));
    }
    if (EITHER(PORT_TEREDO)) {
        encap_push(seg, ENCAP_TEREDO, sport, dport);
        return decode_teredo(p, depth, seg);
    }
    if (EITHER(PORT_AYIYA)) {
        /* RFC-draft AYIYA: id length and signature length nibbles, next
         * header in byte 3, 4-byte epoch, identity, signature. */
        uint8_t idl, sigl, nh;
        encap_push(seg, ENCAP_AYIYA, sport, dport);
        if (!bytes_u8(cap_of(p), 0, &idl) || !bytes_u8(cap_of(p), 1, &sigl) || !bytes_u8(cap_of(p), 3, &nh))
            return DEC_NOT_TCP;
        uint32_t hlen = 8 + (1u << (idl >> 4)) + (uint32_t)(sigl >> 4) * 4;
        if (nh == IPPROTO_IPV6_)
            return tunnel_result(decode_ipv6(layer_skip(p, hlen), depth, seg));
        if (nh == IPPROTO_IPIP_)
            return tunnel_result(decode_ipv4(layer_skip(p, hlen), depth, seg));
        return DEC_NOT_TCP;
    }
#undef EITHER
    /* Teredo relays use any port: recognise it by content, as Zeek does. */
    if (teredo_detect(p)) {
        encap_push(seg, ENCAP_TEREDO, sport, dport);
        return decode_teredo(p, depth, seg);
    }
    return DEC_NOT_TCP;
}

/* ---------------------------------------------------------------- GRE --- */

/* A PPP frame: optional 0xff 0x03 address/control, then a 1- or 2-byte
 * protocol field (RFC 1661 protocol-field compression). */
static enum decode_outcome decode_ppp(struct layer l, int depth, struct segment *seg)
{
    uint8_t a, c, p0, p1;
    uint32_t off = 0;
    if (!bytes_u8(cap_of(l), 0, &a))
        return DEC_TRUNC_LINK;
    if (a == 0xff && bytes_u8(cap_of(l), 1, &c) && c == 0x03)
        off = 2;
    if (!bytes_u8(cap_of(l), off, &p0))
        return DEC_TRUNC_LINK;
    uint16_t proto;
    if (p0 & 1) {               /* compressed: one byte */
        proto = p0;
        off += 1;
    } else {
        if (!bytes_u8(cap_of(l), off + 1, &p1))
            return DEC_TRUNC_LINK;
        proto = (uint16_t)(p0 << 8 | p1);
        off += 2;
    }
    if (proto == 0x0021)
        return decode_ipv4(layer_skip(l, off), depth, seg);
    if (proto == 0x0057)
        return decode_ipv6(layer_skip(l, off), depth, seg);
    if (proto == 0x0281 || proto == 0x0283)     /* MPLS unicast, multicast (RFC 3032) */
        return decode_ethertype(proto == 0x0281 ? ETH_MPLS : ETH_MPLS_MC, layer_skip(l, off), depth, seg);
    return DEC_NOT_IP;
}

static enum decode_outcome decode_gre_payload(uint16_t proto, struct layer l, int depth,
                                              struct segment *seg)
{
    switch (proto) {
    case ETH_IPV4:
        return decode_ipv4(l, depth, seg);
    case ETH_IPV6:
        return decode_ipv6(l, depth, seg);
    case ETH_TEB:
        return decode_ether(l, depth, seg);
    case ETH_ERSPAN2:
        return decode_ether(layer_skip(l, 8), depth, seg);
    case ETH_ERSPAN3: {
        uint8_t o;              /* optional 8-byte platform subheader */
        if (!bytes_u8(cap_of(l), 11, &o))
            return DEC_TRUNC_LINK;
        return decode_ether(layer_skip(l, (o & 1) ? 20 : 12), depth, seg);
    }
    case ETH_PPP:
        return decode_ppp(l, depth, seg);
    case ETH_WCCP: {
        /* a cache redirecting traffic (WCCP): version 2 puts a 4-byte
         * redirect header before the packet, version 1 nothing (the
         * packet's first nibble, the IP version, tells them apart) */
        uint8_t b;
        if (!bytes_u8(cap_of(l), 0, &b))
            return DEC_TRUNC_LINK;
        return decode_ip(b >> 4 == 4 ? l : layer_skip(l, 4), depth, seg);
    }
    default:
        return DEC_NOT_IP;
    }
}

/* An 802.11 data frame: a 24-byte header, a fourth address if both DS bits
 * are set, QoS control in QoS data frames, HT control after it when the
 * Order bit is set, then LLC/SNAP.  `pad`: a radio header said the 802.11
 * header is padded to a multiple of 4 bytes.  Aruba access points send such
 * frames in GRE; monitor-mode captures have them under a radio header.  Of
 * an A-MSDU (several packets in one frame) only the first subframe is
 * decoded, since a segment holds one packet. */
static enum decode_outcome decode_80211(struct layer l, int depth, bool pad, struct segment *seg)
{
    uint8_t fc, fl, qos;
    uint32_t hlen = 24;
    bool amsdu = false;
    if (!bytes_u8(cap_of(l), 0, &fc) || !bytes_u8(cap_of(l), 1, &fl))
        return DEC_TRUNC_LINK;
    if (((fc >> 2) & 0x03) != 2 || ((fc >> 4) & 0x04))
        return DEC_NOT_IP;              /* management, control, or no data */
    if (fl & 0x40)
        return DEC_ENCRYPTED;           /* protected frame (WEP, WPA) */
    if ((fl & 0x03) == 0x03)
        hlen += 6;
    if ((fc >> 4) & 0x08) {             /* QoS control */
        if (!bytes_u8(cap_of(l), hlen, &qos))
            return DEC_TRUNC_LINK;
        amsdu = (qos & 0x80) != 0;
        hlen += 2;
        if (fl & 0x80)                  /* Order bit in a QoS frame: HT control */
            hlen += 4;
    }
    if (pad)
        hlen = (hlen + 3) & ~3u;
    l = layer_skip(l, hlen);
    if (amsdu) {                        /* subframe: DA, SA, length */
        uint16_t sublen;
        if (!bytes_be16(cap_of(l), 12, &sublen))
            return DEC_TRUNC_LINK;
        l = layer_trim(layer_skip(l, 14), sublen);
    }
    uint8_t llc[6];
    uint16_t type;
    if (!bytes_copy(cap_of(l), 0, llc, sizeof llc) || !bytes_be16(cap_of(l), 6, &type))
        return DEC_TRUNC_LINK;
    if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] || llc[4] || llc[5])
        return DEC_NOT_IP;
    return decode_ethertype(type, layer_skip(l, 8), depth, seg);
}

/* GRE protocol types Aruba uses for 802.11 frames (as Zeek recognises them). */
static bool gre_is_aruba(uint16_t p)
{
    return ((p & 0x8200) == 0x8200 && (p & 0x0f) == 0) ||
           ((p & 0x8300) == 0x8300 && (p & 0x0f) == 0 && p <= 0x8370) || p == 0x9000;
}

static enum decode_outcome decode_gre(struct layer l, int depth, struct segment *seg)
{
    uint16_t fl, proto;
    if (!bytes_be16(cap_of(l), 0, &fl) || !bytes_be16(cap_of(l), 2, &proto))
        return DEC_TRUNC_IP;
    if (depth >= MAX_TUNNEL_DEPTH)
        return DEC_TUNNEL_DEPTH;
    uint32_t off = 4;
    unsigned version = fl & 0x7;
    if (version == 0) {
        if (fl & 0x8000) off += 4;  /* checksum present */
        if (fl & 0x2000) off += 4;  /* key present */
        if (fl & 0x1000) off += 4;  /* sequence number present */
    } else if (version == 1) {      /* PPTP (RFC 2637) */
        off += 4;                   /* payload length + call id, always */
        if (fl & 0x1000) off += 4;  /* sequence */
        if (fl & 0x0080) off += 4;  /* acknowledgement */
        if (proto != ETH_PPP)
            return DEC_NOT_IP;
    } else {
        return DEC_NOT_IP;
    }
    encap_push(seg, ENCAP_GRE, 0, 0);
    if (version == 0 && proto != ETH_TEB && proto != ETH_ERSPAN2 && proto != ETH_ERSPAN3 &&
        gre_is_aruba(proto))
        return decode_80211(layer_skip(l, off), depth + 1, false, seg);
    return decode_gre_payload(proto, layer_skip(l, off), depth + 1, seg);
}

/* ----------------------------------------------------------------- IP --- */

static enum decode_outcome decode_transport(uint8_t proto, struct layer l, int depth,
                                            struct segment *seg)
{
    switch (proto) {
    case IPPROTO_TCP_:
        return decode_tcp(l, seg);
    case IPPROTO_UDP_:
        return decode_udp(l, depth, seg);
    case IPPROTO_IPIP_:
        if (depth >= MAX_TUNNEL_DEPTH)
            return DEC_TUNNEL_DEPTH;
        encap_push(seg, ENCAP_IP, 0, 0);
        return decode_ipv4(l, depth + 1, seg);
    case IPPROTO_IPV6_:
        if (depth >= MAX_TUNNEL_DEPTH)
            return DEC_TUNNEL_DEPTH;
        encap_push(seg, ENCAP_IP, 0, 0);
        return decode_ipv6(l, depth + 1, seg);
    case IPPROTO_GRE_:
        return decode_gre(l, depth, seg);
    case IPPROTO_ESP_:
        return DEC_ENCRYPTED;
    case IPPROTO_ICMP_:
        return seg->src.family == 4 ? decode_icmp(l, false, seg) : DEC_NOT_TCP;
    case IPPROTO_ICMPV6_:
        return seg->src.family == 6 ? decode_icmp(l, true, seg) : DEC_NOT_TCP;
    default:
        return DEC_NOT_TCP;
    }
}

static enum decode_outcome decode_ipv4(struct layer l, int depth, struct segment *seg)
{
    uint8_t vihl, proto;
    uint16_t total, frag;

    if (!bytes_u8(cap_of(l), 0, &vihl))
        return DEC_TRUNC_IP;
    if (vihl >> 4 != 4)
        return DEC_BAD_IP;
    uint32_t ihl = (vihl & 0x0f) * 4u;
    if (ihl < 20)
        return DEC_BAD_IP;
    if (!bytes_be16(cap_of(l), 2, &total) || !bytes_be16(cap_of(l), 6, &frag) ||
        !bytes_u8(cap_of(l), 9, &proto) || !bytes_copy(cap_of(l), 12, seg->src.b, 4) ||
        !bytes_copy(cap_of(l), 16, seg->dst.b, 4))
        return DEC_TRUNC_IP;
    /* A total length of 0 is what segmentation offload leaves in captures
     * taken on the sending host; the wire length is then the truth. */
    if (total == 0)
        total = (uint16_t)(l.wire > 0xffff ? 0xffff : l.wire);
    if (total < ihl || total > l.wire)
        return DEC_BAD_IP;
    if (!bytes_has(cap_of(l), 0, ihl))
        return DEC_TRUNC_IP;
    memset(seg->src.b + 4, 0, 12);
    memset(seg->dst.b + 4, 0, 12);
    seg->src.family = seg->dst.family = 4;
    seg->ip_len = total;
    bytes_be16(cap_of(l), 4, &seg->ip_id);
    seg->ip_hdr = cap_of(l).p;
    seg->ip_caplen = (uint32_t)(cap_of(l).len < total ? cap_of(l).len : total);
    seg->ip_hdr_len = (uint16_t)ihl;
    if ((frag & 0x3fff) && !seg->frag_ip) {    /* a fragment: remember the outermost */
        seg->frag_ip = cap_of(l).p;
        seg->frag_caplen = seg->ip_caplen;
        seg->frag_len = total;
        seg->frag_encap = seg->encap;
        seg->frag_depth = (uint8_t)depth;
    }
    if (frag & 0x1fff)          /* fragment offset: no transport header */
        return DEC_IP_FRAGMENT;
    seg->ip_first_frag = (frag & 0x2000) != 0;
    return decode_transport(proto, layer_skip(layer_trim(l, total), ihl), depth, seg);
}

static enum decode_outcome decode_ipv6(struct layer l, int depth, struct segment *seg)
{
    uint8_t vtc, nh;
    uint16_t plen;

    if (!bytes_u8(cap_of(l), 0, &vtc))
        return DEC_TRUNC_IP;
    if (vtc >> 4 != 6)
        return DEC_BAD_IP;
    if (!bytes_be16(cap_of(l), 4, &plen) || !bytes_u8(cap_of(l), 6, &nh) ||
        !bytes_copy(cap_of(l), 8, seg->src.b, 16) || !bytes_copy(cap_of(l), 24, seg->dst.b, 16))
        return DEC_TRUNC_IP;
    if (l.wire < 40)
        return DEC_BAD_IP;
    /* Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675);
     * without one it is segmentation offload.  Either way the wire knows. */
    uint32_t payload = plen ? plen : l.wire - 40;
    if (payload > l.wire - 40)
        return DEC_BAD_IP;
    seg->src.family = seg->dst.family = 6;
    seg->ip_len = 40 + payload;
    seg->ip_hdr = cap_of(l).p;
    seg->ip_caplen = (uint32_t)(cap_of(l).len < seg->ip_len ? cap_of(l).len : seg->ip_len);
    seg->ip_hdr_len = 40;
    struct layer p = layer_skip(layer_trim(l, 40 + payload), 40);
    uint32_t nh_at = 6;         /* where the next-header value just read is */
    bool routed = false;        /* a routing header gave the final destination */

    for (int n = 0;; n++) {
        uint8_t next, hlen;
        uint32_t len;
        switch (nh) {
        case 0:     /* hop-by-hop options */
        case 43:    /* routing */
        case 60:    /* destination options */
        case 135:   /* mobility */
        case 139:   /* HIP */
        case 140:   /* shim6 */
        case IPPROTO_AH_:
            if (n >= MAX_IPV6_EXT)
                return DEC_BAD_IPV6_EXT;
            if (p.wire < 8)
                return DEC_BAD_IPV6_EXT;
            if (!bytes_u8(cap_of(p), 0, &next) || !bytes_u8(cap_of(p), 1, &hlen))
                return DEC_TRUNC_IP;
            len = nh == IPPROTO_AH_ ? (hlen + 2u) * 4 : (hlen + 1u) * 8;
            if (len > p.wire)
                return DEC_BAD_IPV6_EXT;
            if (!bytes_has(cap_of(p), 0, len))
                return DEC_TRUNC_IP;
            if (nh == 43 && !routed)
                routed = route_final_dst(cap_of(p), len, seg->dst.b);
            nh_at = 40 + payload - p.wire;
            p = layer_skip(p, len);
            nh = next;
            break;
        case 44: {  /* fragment */
            uint16_t off;
            if (n >= MAX_IPV6_EXT || p.wire < 8)
                return DEC_BAD_IPV6_EXT;
            if (!bytes_u8(cap_of(p), 0, &next) || !bytes_be16(cap_of(p), 2, &off))
                return DEC_TRUNC_IP;
            if ((off & 0xfff9) && !seg->frag_ip) {  /* a fragment (not an atomic one): the outermost */
                seg->frag_ip = cap_of(l).p;
                seg->frag_caplen = seg->ip_caplen;
                seg->frag_len = seg->ip_len;
                seg->frag_encap = seg->encap;
                seg->frag_depth = (uint8_t)depth;
                seg->frag_v6_hdr = (uint16_t)(40 + payload - p.wire);
                seg->frag_v6_nh = (uint16_t)nh_at;
            }
            if (off & 0xfff8)
                return DEC_IP_FRAGMENT;
            if (off & 1)
                seg->ip_first_frag = true;
            nh_at = 40 + payload - p.wire;
            p = layer_skip(p, 8);
            nh = next;
            break;
        }
        case IPPROTO_NONE_:
            return DEC_NOT_TCP;
        default:
            return decode_transport(nh, p, depth, seg);
        }
    }
}

static enum decode_outcome decode_ip(struct layer l, int depth, struct segment *seg)
{
    uint8_t v;
    if (!bytes_u8(cap_of(l), 0, &v))
        return DEC_TRUNC_IP;
    if (v >> 4 == 4)
        return decode_ipv4(l, depth, seg);
    if (v >> 4 == 6)
        return decode_ipv6(l, depth, seg);
    return DEC_NOT_IP;
}

/* ARCnet, as the BSDs (source, destination, type) and Linux (two offset
 * bytes before the type) capture it.  RFC 1201's types add a split flag
 * and a sequence number; a flag of 0xff marks an exception packet, whose
 * own flag and sequence number come 4 bytes later.  RFC 1051's older
 * types (IP 0xf0, ARP 0xf1) and the diagnostic one have neither.  A packet
 * split into pieces (a flag other than 0) is not put back together. */
static enum decode_outcome decode_arcnet(struct layer l, uint32_t type_at, struct segment *seg)
{
    uint8_t type, flag = 0;
    if (!bytes_u8(cap_of(l), type_at, &type))
        return DEC_TRUNC_LINK;
    uint32_t off = type_at + 1;                 /* RFC 1051: the payload next */
    if (type != 0xf0 && type != 0xf1 && type != 0x80) {
        if (!bytes_u8(cap_of(l), type_at + 1, &flag))
            return DEC_TRUNC_LINK;
        off = type_at + 4;                      /* flag, sequence number */
        if (flag == 0xff) {                     /* exception: 0xff 0xff, type, flag, sequence */
            if (!bytes_u8(cap_of(l), type_at + 5, &flag))
                return DEC_TRUNC_LINK;
            off = type_at + 8;
        }
    }
    if (!bytes_has(cap_of(l), 0, off))
        return DEC_TRUNC_LINK;
    if (flag != 0)
        return DEC_NOT_IP;
    switch (type) {
    case 0xd4:                  /* IP (RFC 1201) */
    case 0xf0:                  /* IP (RFC 1051) */
        return decode_ipv4(layer_skip(l, off), 0, seg);
    case 0xc4:                  /* IPv6 (RFC 2497) */
        return decode_ipv6(layer_skip(l, off), 0, seg);
    default:
        return DEC_NOT_IP;
    }
}

/* A Juniper router's capture of an Ethernet interface: "MGC", flags, then
 * (flag 0x80) a 2-byte length and that many bytes of extensions, then the
 * frame; or (flag 0x02, the link-layer header stripped) 4 bytes and the IP
 * packet. */
static enum decode_outcome decode_juniper_ether(struct layer l, struct segment *seg)
{
    uint8_t m0, m1, m2, flags;
    if (!bytes_u8(cap_of(l), 0, &m0) || !bytes_u8(cap_of(l), 1, &m1) || !bytes_u8(cap_of(l), 2, &m2) ||
        !bytes_u8(cap_of(l), 3, &flags))
        return DEC_TRUNC_LINK;
    if (m0 != 'M' || m1 != 'G' || m2 != 'C')
        return DEC_NOT_IP;                      /* not the header it should be */
    uint32_t off = 4;
    if (flags & 0x80) {
        uint16_t ext;
        if (!bytes_be16(cap_of(l), 4, &ext))
            return DEC_TRUNC_LINK;
        off += 2u + ext;
    }
    if (flags & 0x02) {
        if (!bytes_has(cap_of(l), 0, off + 4))
            return DEC_TRUNC_LINK;
        return decode_ip(layer_skip(l, off + 4), 0, seg);
    }
    if (!bytes_has(cap_of(l), 0, off))
        return DEC_TRUNC_LINK;
    return decode_ether(layer_skip(l, off), 0, seg);
}

/* -------------------------------------------------------- link layers --- */

static enum decode_outcome decode_ethertype(uint16_t type, struct layer l, int depth,
                                            struct segment *seg)
{
    switch (type) {
    case ETH_IPV4:
        return decode_ipv4(l, depth, seg);
    case ETH_IPV6:
        return decode_ipv6(l, depth, seg);
    case ETH_MPLS:
    case ETH_MPLS_MC: {
        /* Skip the label stack to the bottom-of-stack label; the payload's
         * first nibble says which IP version follows. */
        for (int i = 0; i < 16; i++) {
            uint32_t label;
            if (!bytes_be32(cap_of(l), 0, &label))
                return DEC_TRUNC_LINK;
            l = layer_skip(l, 4);
            if (label & 0x100)
                return decode_ip(l, depth, seg);
        }
        return DEC_NOT_IP;
    }
    case ETH_PBB:
    case ETH_FABRICPATH:
        /* A whole Ethernet frame follows the 4-byte I-TAG or the 2-byte
         * FabricPath tag. */
        if (depth >= MAX_TUNNEL_DEPTH)
            return DEC_TUNNEL_DEPTH;
        return decode_ether(layer_skip(l, type == ETH_PBB ? 4 : 2), depth + 1, seg);
    case ETH_PPPOE: {
        uint16_t plen, proto;
        if (!bytes_be16(cap_of(l), 4, &plen) || !bytes_be16(cap_of(l), 6, &proto))
            return DEC_TRUNC_LINK;
        l = layer_skip(l, 8);
        if (proto == 0x0021)
            return decode_ipv4(l, depth, seg);
        if (proto == 0x0057)
            return decode_ipv6(l, depth, seg);
        return DEC_NOT_IP;
    }
    default:
        return DEC_NOT_IP;
    }
}

/* After the 802.3 length field: LLC, and SNAP when DSAP/SSAP say so. */
static enum decode_outcome decode_llc(struct layer l, int depth, struct segment *seg)
{
    uint8_t dsap, ssap, ctl;
    uint16_t type;
    if (!bytes_u8(cap_of(l), 0, &dsap) || !bytes_u8(cap_of(l), 1, &ssap) || !bytes_u8(cap_of(l), 2, &ctl))
        return DEC_TRUNC_LINK;
    if (dsap == 0xaa && ssap == 0xaa && ctl == 0x03) {
        if (!bytes_be16(cap_of(l), 6, &type))
            return DEC_TRUNC_LINK;
        return decode_ethertype(type, layer_skip(l, 8), depth, seg);
    }
    return DEC_NOT_IP;
}

static enum decode_outcome decode_ether(struct layer l, int depth, struct segment *seg)
{
    uint16_t type;
    uint32_t off = 12;
    /* Any stack of VLAN tags (802.1Q, 802.1ad, and the older 0x9100/0x9200
     * QinQ tags).  The loop is bounded by the packet length. */
    for (;;) {
        if (!bytes_be16(cap_of(l), off, &type))
            return DEC_TRUNC_LINK;
        if (type == ETH_VNTAG) {
            off += 6;
            continue;
        }
        if (type != ETH_VLAN && type != ETH_QINQ && type != ETH_QINQ_OLD1 &&
            type != ETH_QINQ_OLD2)
            break;
        off += 4;
    }
    l = layer_skip(l, off + 2);
    if (type < 1536)            /* 802.3 length: LLC follows */
        return decode_llc(l, depth, seg);
    return decode_ethertype(type, l, depth, seg);
}

/* BSD loopback: a 4-byte address family in the capturing host's byte order
 * (DLT_NULL) or network order (DLT_LOOP).  IPv6's value differs by OS. */
static enum decode_outcome decode_null(struct layer l, bool network_order, struct segment *seg)
{
    uint32_t fam;
    if (network_order ? !bytes_be32(cap_of(l), 0, &fam) : !bytes_le32(cap_of(l), 0, &fam))
        return DEC_TRUNC_LINK;
    if (!network_order && fam > 0xffff) /* written big-endian */
        fam = (fam >> 24) | ((fam >> 8) & 0xff00);
    l = layer_skip(l, 4);
    switch (fam) {
    case 2:                     /* AF_INET everywhere */
        return decode_ipv4(l, 0, seg);
    case 10: case 24: case 28: case 30: /* AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS */
        return decode_ipv6(l, 0, seg);
    default:
        return DEC_NOT_IP;
    }
}

/* ------------------------------------------- radio and capture headers --- */

/* Radiotap (radiotap.org): version 0, a little-endian length, then 32-bit
 * "present" words (bit 31: another word follows) and the fields they name.
 * Only Flags matters here.  It is the second field (bit 1), after TSFT
 * (bit 0, 8 bytes aligned to 8); it says whether the 802.11 header is
 * padded to 4 bytes (0x20) and whether the frame was received with a bad
 * FCS (0x40): a frame the receiver dropped, whose segment never arrived. */
static enum decode_outcome decode_radiotap(struct layer l, struct segment *seg)
{
    uint8_t version, flags = 0;
    uint16_t len;
    uint32_t present, word;
    if (!bytes_u8(cap_of(l), 0, &version) || !bytes_le16(cap_of(l), 2, &len) ||
        !bytes_le32(cap_of(l), 4, &present))
        return DEC_TRUNC_LINK;
    if (version != 0 || len < 8)
        return DEC_BAD_LINK;
    uint32_t off = 4;
    for (word = present; word & 0x80000000u; ) {   /* off grows: bounded by len */
        off += 4;
        if (off + 4 > len)
            return DEC_BAD_LINK;
        if (!bytes_le32(cap_of(l), off, &word))
            return DEC_TRUNC_LINK;
    }
    off += 4;
    if (present & 0x2) {
        if (present & 0x1)
            off = ((off + 7) & ~7u) + 8;
        if (off >= len)
            return DEC_BAD_LINK;
        if (!bytes_u8(cap_of(l), off, &flags))
            return DEC_TRUNC_LINK;
    }
    if (flags & 0x40)
        return DEC_BAD_FCS;
    return decode_80211(layer_skip(l, len), 0, (flags & 0x20) != 0, seg);
}

/* Prism's 144-byte monitor header, or the AVS header that some drivers put
 * in its place (a magic number, then its big-endian length). */
static enum decode_outcome decode_prism(struct layer l, bool avs_only, struct segment *seg)
{
    uint32_t code, len = 144;
    if (!bytes_be32(cap_of(l), 0, &code))
        return DEC_TRUNC_LINK;
    if (code == 0x80211001 || code == 0x80211002) {
        if (!bytes_be32(cap_of(l), 4, &len))
            return DEC_TRUNC_LINK;
        if (len < 8)
            return DEC_BAD_LINK;
    } else if (avs_only) {
        return DEC_BAD_LINK;
    }
    return decode_80211(layer_skip(l, len), 0, false, seg);
}

/* PPI (Per-Packet Information): version 0, flags, a little-endian header
 * length, and the link type of the frame after it (802.11, usually). */
static enum decode_outcome decode_ppi(struct layer l, bool inner, struct segment *seg)
{
    uint8_t version;
    uint16_t len;
    uint32_t dlt;
    if (!bytes_u8(cap_of(l), 0, &version) || !bytes_le16(cap_of(l), 2, &len) ||
        !bytes_le32(cap_of(l), 4, &dlt))
        return DEC_TRUNC_LINK;
    if (version != 0 || len < 8 || inner || dlt > 0xffff)
        return DEC_BAD_LINK;
    return decode_link((int)dlt, layer_skip(l, len), true, seg);
}

/* Apple's PKTAP (what macOS's tcpdump writes with -i any or -k): a
 * little-endian header whose first word is its own length, the second the
 * kind of what follows (1: a packet), the third that packet's link type.
 * Link type 149 (a private-use number, which Apple's libpcap once wrote for
 * PKTAP) is decoded as PKTAP only if its header says so. */
static enum decode_outcome decode_pktap(struct layer l, bool inner, bool user2,
                                        struct segment *seg)
{
    uint32_t len, next, dlt;
    if (!bytes_le32(cap_of(l), 0, &len) || !bytes_le32(cap_of(l), 4, &next) ||
        !bytes_le32(cap_of(l), 8, &dlt))
        return user2 ? DEC_UNSUPPORTED_LINK : DEC_TRUNC_LINK;
    if (len < 12 || len > 0xffff || inner || dlt > 0xffff)
        return user2 ? DEC_UNSUPPORTED_LINK : DEC_BAD_LINK;
    if (next != 1)
        return user2 ? DEC_UNSUPPORTED_LINK : DEC_NOT_IP;
    return decode_link((int)dlt, layer_skip(l, len), true, seg);
}

/* Linux NFLOG: family, version 0, resource id, then TLVs whose length
 * (counting their own 4 bytes; each padded to 4) and type are in the
 * capturing host's byte order, which the first TLV's length shows.  Type 9
 * holds the packet, cut at the rule's copy range as a snapshot length cuts
 * one: its length on the wire is not known, so the IP header's is taken. */
static enum decode_outcome decode_nflog(struct layer l, struct segment *seg)
{
    uint8_t version;
    uint16_t len, type;
    if (!bytes_u8(cap_of(l), 1, &version))
        return DEC_TRUNC_LINK;
    if (version != 0)
        return DEC_BAD_LINK;
    bool big = false;
    if (bytes_le16(cap_of(l), 4, &len) && (len < 4 || len > l.wire - 4)) {
        uint16_t be;
        bytes_be16(cap_of(l), 4, &be);
        big = be >= 4 && be <= l.wire - 4;
    }
    for (uint32_t off = 4; ; off += ((uint32_t)len + 3) & ~3u) {   /* len >= 4 */
        bool got = big ? bytes_be16(cap_of(l), off, &len) && bytes_be16(cap_of(l), off + 2, &type)
                       : bytes_le16(cap_of(l), off, &len) && bytes_le16(cap_of(l), off + 2, &type);
        if (!got)
            return off >= l.wire ? DEC_NOT_IP : DEC_TRUNC_LINK;  /* no payload logged */
        if (len < 4)
            return DEC_BAD_LINK;
        if ((type & 0x3fff) == 9) {
            struct layer p = layer_trim(layer_skip(l, off + 4), len - 4u);
            p.wire = 0xffff;
            return decode_ip(p, 0, seg);
        }
    }
}

bool decode_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_PPP:
    case DLT_PPP_SERIAL:
    case DLT_C_HDLC:
    case DLT_PPP_ETHER:
    case DLT_FDDI:
    case DLT_IPOIB:
    case DLT_ARCNET:
    case DLT_ARCNET_LINUX:
    case DLT_JUNIPER_ETHER:
    case LT_SLIP:
    case LT_IEEE802_11:
    case LT_ENC:
    case LT_PFLOG:
    case LT_PRISM:
    case LT_RADIOTAP:
    case LT_USER2:
    case LT_AVS:
    case LT_PPI:
    case LT_MPLS:
    case LT_IPNET:
    case LT_NFLOG:
    case LT_NETANALYZER:
    case LT_NETANALYZER_TRANSPARENT:
    case LT_PKTAP:
        return true;
    default:
        /* LINKTYPE_RAW (101) is mapped to DLT_RAW by libpcap, but some
         * systems define DLT_RAW as 14. */
        return dlt == 12 || dlt == 14 || dlt == 101;
    }
}

/* The frame of link type `dlt`; `inner`: inside a PPI or PKTAP header,
 * which do not nest. */
static enum decode_outcome decode_link(int dlt, struct layer l, bool inner, struct segment *seg)
{
    switch (dlt) {
    case DLT_EN10MB:
        return decode_ether(l, 0, seg);
    case DLT_LINUX_SLL: {       /* 16-byte header, protocol last */
        uint16_t proto;
        if (!bytes_be16(cap_of(l), 14, &proto))
            return DEC_TRUNC_LINK;
        return decode_ethertype(proto, layer_skip(l, 16), 0, seg);
    }
    case DLT_LINUX_SLL2: {      /* 20-byte header, protocol first */
        uint16_t proto;
        if (!bytes_be16(cap_of(l), 0, &proto) || !bytes_has(cap_of(l), 0, 20))
            return DEC_TRUNC_LINK;
        return decode_ethertype(proto, layer_skip(l, 20), 0, seg);
    }
    case DLT_IPV4:
        return decode_ipv4(l, 0, seg);
    case DLT_IPV6:
        return decode_ipv6(l, 0, seg);
    case DLT_NULL:
        return decode_null(l, false, seg);
    case DLT_LOOP:
        return decode_null(l, true, seg);
    case DLT_PPP:
    case DLT_PPP_SERIAL:
        return decode_ppp(l, 0, seg);
    case DLT_C_HDLC: {          /* address, control, ethertype */
        uint16_t proto;
        if (!bytes_be16(cap_of(l), 2, &proto))
            return DEC_TRUNC_LINK;
        return decode_ethertype(proto, layer_skip(l, 4), 0, seg);
    }
    case DLT_PPP_ETHER: {       /* PPPoE session header without Ethernet */
        uint16_t proto;
        if (!bytes_be16(cap_of(l), 6, &proto))
            return DEC_TRUNC_LINK;
        if (proto == 0x0021)
            return decode_ipv4(layer_skip(l, 8), 0, seg);
        if (proto == 0x0057)
            return decode_ipv6(layer_skip(l, 8), 0, seg);
        return DEC_NOT_IP;
    }
    case DLT_FDDI: {            /* frame control, two MACs, then LLC */
        if (!bytes_has(cap_of(l), 0, 13))
            return DEC_TRUNC_LINK;
        return decode_llc(layer_skip(l, 13), 0, seg);
    }
    case DLT_JUNIPER_ETHER:
        return decode_juniper_ether(l, seg);
    case DLT_ARCNET:
        return decode_arcnet(l, 2, seg);
    case DLT_ARCNET_LINUX:
        return decode_arcnet(l, 4, seg);
    case DLT_IPOIB: {           /* IP over InfiniBand (RFC 4391): a 20-byte
                                   address each way, then type and reserved */
        uint16_t type;
        if (!bytes_be16(cap_of(l), 40, &type) || !bytes_has(cap_of(l), 0, 44))
            return DEC_TRUNC_LINK;
        return decode_ethertype(type, layer_skip(l, 44), 0, seg);
    }
    case LT_IEEE802_11:
        return decode_80211(l, 0, false, seg);
    case LT_RADIOTAP:
        return decode_radiotap(l, seg);
    case LT_PRISM:
    case LT_AVS:
        return decode_prism(l, dlt == LT_AVS, seg);
    case LT_PPI:
        return decode_ppi(l, inner, seg);
    case LT_PKTAP:
    case LT_USER2:
        return decode_pktap(l, inner, dlt == LT_USER2, seg);
    case LT_NFLOG:
        return decode_nflog(l, seg);
    case LT_PFLOG: {            /* its length (padded to 4), family, ... */
        uint8_t hlen;
        if (!bytes_u8(cap_of(l), 0, &hlen))
            return DEC_TRUNC_LINK;
        if (hlen < 4)
            return DEC_BAD_LINK;
        return decode_ip(layer_skip(l, (hlen + 3u) & ~3u), 0, seg);
    }
    case LT_ENC:                /* family, SPI, flags */
        return decode_ip(layer_skip(l, 12), 0, seg);
    case LT_IPNET:              /* version, family, type, lengths, zones */
        return decode_ip(layer_skip(l, 24), 0, seg);
    case LT_SLIP:               /* direction and a copy of a compressed header */
        return decode_ip(layer_skip(l, 16), 0, seg);
    case LT_MPLS:
        return decode_ethertype(ETH_MPLS, l, 0, seg);
    case LT_NETANALYZER:        /* a 4-byte status header */
        return decode_ether(layer_skip(l, 4), 0, seg);
    case LT_NETANALYZER_TRANSPARENT:    /* ... then preamble and SFD */
        return decode_ether(layer_skip(l, 12), 0, seg);
    default:
        if (dlt == 12 || dlt == 14 || dlt == 101) {
            /* raw IP promises an IP header: another version is damage */
            enum decode_outcome o = decode_ip(l, 0, seg);
            return o == DEC_NOT_IP ? DEC_BAD_IP : o;
        }
        return DEC_UNSUPPORTED_LINK;
    }
}

enum decode_outcome decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
                                  uint32_t wirelen, struct segment *seg)
{
    struct layer l = { data, caplen, wirelen > caplen ? wirelen : caplen };

    *seg = zero_segment;
    if (__builtin_expect(dlt == DLT_EN10MB, 1))  /* nearly every capture: straight in */
        return decode_ether(l, 0, seg);
    if (dlt < 0)
        return DEC_NO_INTERFACE;
    return decode_link(dlt, l, false, seg);
}

enum decode_outcome decode_ip_datagram(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                                       uint64_t encap, int depth, struct segment *seg)
{
    struct layer l = { data, caplen, wirelen > caplen ? wirelen : caplen };
    *seg = zero_segment;
    seg->encap = encap;
    return decode_ip(l, depth, seg);
}

/* ---------------------------------------------------------- outcomes --- */

static const struct {
    const char *name;
    const char *text;
    bool malformed;
} outcomes[DEC__COUNT] = {
    [DEC_TCP] = {"tcp", "TCP segments", false},
    [DEC_NOT_IP] = {"not_ip", "not IP (ARP, LLDP, ...)", false},
    [DEC_NOT_TCP] = {"not_tcp", "IP but not TCP (UDP, ICMP, ...)", false},
    [DEC_ICMP_ERROR] = {"icmp_error", "ICMP errors about TCP segments (applied to their connections)", false},
    [DEC_IP_FRAGMENT] = {"ip_fragment", "IP fragments (a datagram put back together counts once)", false},
    [DEC_ENCRYPTED] = {"encrypted", "IPsec ESP (transport header encrypted)", false},
    [DEC_UNSUPPORTED_LINK] = {"unsupported_link", "unsupported link type", false},
    [DEC_DUPLICATE] = {"duplicate", "the same packet again, seen on another interface (capture on any)", false},
    [DEC_TRUNC_LINK] = {"truncated_link", "link-layer header cut short", true},
    [DEC_BAD_LINK] = {"bad_link", "bad link-layer header (radio, PPI, PKTAP or NFLOG)", true},
    [DEC_TRUNC_IP] = {"truncated_ip", "IP header cut short", true},
    [DEC_TRUNC_TCP] = {"truncated_tcp", "TCP header cut short before the flags", true},
    [DEC_BAD_IP] = {"bad_ip", "bad IP version, header or total length", true},
    [DEC_BAD_IPV6_EXT] = {"bad_ipv6_ext", "malformed IPv6 extension header chain", true},
    [DEC_BAD_TCP] = {"bad_tcp", "bad TCP data offset", true},
    [DEC_TUNNEL_DEPTH] = {"tunnel_depth", "tunnels nested too deep", true},
    [DEC_NO_INTERFACE] = {"no_interface", "pcapng packet on an interface never described", true},
    [DEC_BAD_FCS] = {"bad_fcs", "802.11 frames received damaged (bad FCS: never delivered)", false},
    [DEC_IP_FRAGMENT_LOST] = {"ip_fragment_lost", "IP fragments of datagrams never completed (not analysed)", false},
};

const char *decode_outcome_name(enum decode_outcome o)
{
    return o < DEC__COUNT ? outcomes[o].name : "?";
}

const char *decode_outcome_text(enum decode_outcome o)
{
    return o < DEC__COUNT ? outcomes[o].text : "?";
}

bool decode_outcome_malformed(enum decode_outcome o)
{
    return o < DEC__COUNT && outcomes[o].malformed;
}

const char *icmp_kind_name(unsigned kind)
{
    static const char *const names[ICMPK__COUNT] = {
        [ICMPK_NONE] = "none",
        [ICMPK_NET_UNREACH] = "net-unreachable",
        [ICMPK_HOST_UNREACH] = "host-unreachable",
        [ICMPK_PROTO_UNREACH] = "protocol-unreachable",
        [ICMPK_PORT_UNREACH] = "port-unreachable",
        [ICMPK_ADMIN] = "admin-prohibited",
        [ICMPK_UNREACH_OTHER] = "unreachable",
        [ICMPK_TIME_EXCEEDED] = "time-exceeded",
        [ICMPK_PARAM_PROBLEM] = "parameter-problem",
    };
    kind &= ICMPK_KIND_MASK;
    return kind < ICMPK__COUNT ? names[kind] : "?";
}
