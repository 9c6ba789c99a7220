/* format.h - small text formatting helpers shared by the report formats. */
#ifndef TCPFSM_FORMAT_H
#define TCPFSM_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "segment.h"

#define ENDPOINT_STRLEN (ADDR_STRLEN + 9)

/* "192.0.2.1:80" or "[2001:db8::1]:80" */
const char *format_addr_port(const struct flow_addr *a, uint16_t port, char buf[ENDPOINT_STRLEN]);
/* The same for a connection's endpoint `role`. */
const char *format_endpoint(const struct conn *c, int role, char buf[ENDPOINT_STRLEN]);
/* How many characters of text fit on a line of `room` columns, breaking
 * at a space where one is (the caller skips the spaces that follow). */
int wrap_width(const char *text, int room);
/* Length of the valid UTF-8 sequence at s, or 0 if none starts there. */
int utf8_seq_len(const unsigned char *s);
/* "2026-11-21 10:00:00.123456" in UTC */
const char *format_time(tstamp_t ts, char buf[40]);
/* "850us", "12.3ms", "4.50s", "3m05s", "2h03m", "3d04h" */
const char *format_duration(tstamp_t d, char buf[24]);
/* "999", "1.2K", "3.4M", "5.6G" (powers of 1024) */
const char *format_bytes(uint64_t n, char buf[16]);
/* seconds since the epoch, as JSON and Zeek write them: "1700000000.123456" */
void print_epoch(FILE *out, tstamp_t ts);
/* A JSON string, quoted and escaped; invalid UTF-8 becomes U+FFFD. */
void print_json_string(FILE *out, const char *s);

#endif
