/* test_pcaplib.c - libpcap is loaded only when needed (src/pcaplib.h), and
 * the link-type names tcpfsm knows without it are libpcap's own.
 *
 * Reading an Ethernet capture without a filter must not load libpcap (with
 * TCPFSM_LAZY_PCAP, configure's default); a filter must; every entry of
 * capture.c's table of names must agree with what the libpcap this test
 * runs with says of the same link type; and a link type outside the table
 * is named by libpcap. */
#include "config.h"

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "pcaplib.h"
#include "unit.h"

/* A classic pcap file with no records, of the given link type. */
static void write_empty_pcap(const char *path, uint32_t linktype)
{
    uint32_t h[6] = { 0xa1b2c3d4, 2u | 4u << 16, 0, 0, 65535, linktype };
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(h, sizeof h, 1, f) == 1);
    CHECK(fclose(f) == 0);
}

int main(void)
{
    char path[] = "/tmp/tcpfsm-test-pcaplib-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return unit_done("test_pcaplib");
    close(fd);
    write_empty_pcap(path, 1 /* Ethernet */);

#ifdef TCPFSM_LAZY_PCAP
    const bool lazy = true;
#else
    const bool lazy = false;
#endif
    /* a capture file of a link type tcpfsm decodes, read without a filter:
     * no libpcap */
    CHECK(pcaplib_loaded() == !lazy);
    char err[256] = "";
    struct capture *c = capture_open_file(path, err, sizeof err);
    CHECKF(c != NULL, "%s", err);
    if (!c)
        return unit_done("test_pcaplib");
    CHECK(strcmp(capture_linktype_text(c), "EN10MB (Ethernet)") == 0);
    struct capture_packet pkt;
    CHECK(capture_next(c, &pkt) == CAPTURE_END);
    CHECKF(pcaplib_loaded() == !lazy, "read an Ethernet capture without a filter: libpcap %s loaded",
           pcaplib_loaded() ? "was" : "was not");

    /* a filter needs libpcap's compiler */
    CHECKF(capture_set_filter(c, "tcp port 80", err, sizeof err), "%s", err);
    CHECK(pcaplib_loaded());
    capture_close(c);
    /* and a bad one is reported with the compiler's reason */
    c = capture_open_file(path, err, sizeof err);
    CHECKF(c != NULL, "%s", err);
    if (c) {
        CHECK(!capture_set_filter(c, "tcp port", err, sizeof err));
        CHECKF(strstr(err, "filter \"tcp port\": ") == err && strstr(err, "(link type EN10MB (Ethernet))"), "%s",
               err);
        capture_close(c);
    }
    unlink(path);

    /* every link type the decoder takes that libpcap names (the decoder's
     * list, src/decode.c, is the one to follow) is named without libpcap,
     * and every name known without it is libpcap's */
    size_t decoded = 0, known = 0;
    for (int dlt = 0; dlt < 1024; dlt++) {
        const char *name = NULL, *desc = NULL;
        const char *pname = pcap_datalink_val_to_name(dlt);
        const char *pdesc = pcap_datalink_val_to_description(dlt);
        bool in_table = linktype_known_name(dlt, &name, &desc);
        if (decode_link_supported(dlt) && pname) {
            decoded++;
            CHECKF(in_table, "DLT %d (%s): decoded, but named only by libpcap", dlt, pname);
        }
        if (!in_table)
            continue;
        known++;
        CHECKF(pname && strcmp(name, pname) == 0, "DLT %d: \"%s\", libpcap \"%s\"", dlt, name,
               pname ? pname : "(none)");
        CHECKF(pdesc && strcmp(desc, pdesc) == 0, "DLT %d: \"%s\", libpcap \"%s\"", dlt, desc,
               pdesc ? pdesc : "(none)");
    }
    /* the link types tcpfsm decodes all have names without libpcap */
    CHECKF(known == decoded && decoded >= 13, "%zu decoded link types, %zu named without libpcap", decoded, known);

    /* one outside the table, named by libpcap; LINKTYPE_RAW (101) as DLT_RAW */
    char text[96], want[96];
    linktype_text(105, text, sizeof text);
    snprintf(want, sizeof want, "%s (%s)", pcap_datalink_val_to_name(105), pcap_datalink_val_to_description(105));
    CHECKF(strcmp(text, want) == 0, "105: \"%s\", libpcap \"%s\"", text, want);
    CHECK(strcmp(text, "105 (unknown)") != 0);
    linktype_text(101, text, sizeof text);
    CHECKF(strcmp(text, "RAW (Raw IP)") == 0, "101: \"%s\"", text);
    linktype_text(65000, text, sizeof text);
    CHECKF(strcmp(text, "65000 (unknown)") == 0, "65000: \"%s\"", text);
    return unit_done("test_pcaplib");
}
