/* checksum.c - RFC 1071 Internet checksums for IPv4 headers and TCP. */
#include "checksum.h"

#include "bytes.h"

uint32_t checksum_add(const uint8_t *p, size_t n, uint32_t sum)
{
    struct bytes b = bytes_make(p, n);
    size_t i = 0;
    uint16_t w;
    uint64_t s = sum;

    for (; i + 1 < n; i += 2)
        if (bytes_be16(b, i, &w))
            s += w;
    if (i < n) {
        uint8_t last;
        if (bytes_u8(b, i, &last))
            s += (uint32_t)last << 8;
    }
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t checksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

enum checksum_result checksum_ipv4_header(const struct segment *seg)
{
    if (!seg->ip_hdr || seg->src.family != 4 || seg->ip_hdr_len < 20)
        return CHECKSUM_UNKNOWN;
    struct bytes ip = bytes_make(seg->ip_hdr, seg->ip_caplen);
    if (!bytes_has(ip, 0, seg->ip_hdr_len))
        return CHECKSUM_UNKNOWN;
    return checksum_fold(checksum_add(ip.p, seg->ip_hdr_len, 0)) == 0xffff ? CHECKSUM_OK
                                                                          : CHECKSUM_BAD;
}

enum checksum_result checksum_tcp(const struct segment *seg)
{
    if (!seg->tcp_hdr || seg->hdr_len < 20)
        return CHECKSUM_UNKNOWN;
    uint64_t tcp_len = (uint64_t)seg->hdr_len + seg->payload_len;
    struct bytes tcp = bytes_make(seg->tcp_hdr, seg->tcp_caplen);
    if (tcp_len > 0xffffffffu || !bytes_has(tcp, 0, (size_t)tcp_len))
        return CHECKSUM_UNKNOWN;

    /* Pseudo-header: addresses, then protocol and TCP length.  For IPv4 the
     * length is 16 bits, for IPv6 32 bits; with the upper zero bits both sum
     * the same way. */
    size_t alen = seg->src.family == 4 ? 4 : 16;
    uint32_t sum = checksum_add(seg->src.b, alen, 0);
    sum = checksum_add(seg->dst.b, alen, sum);
    sum = checksum_fold(sum) + 6u;                  /* zero byte, protocol */
    sum += (uint32_t)(tcp_len >> 16) + (uint32_t)(tcp_len & 0xffff);
    sum = checksum_add(tcp.p, (size_t)tcp_len, checksum_fold(sum));
    return checksum_fold(sum) == 0xffff ? CHECKSUM_OK : CHECKSUM_BAD;
}
