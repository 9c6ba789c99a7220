/* tests/fuzz/outcheck.h - checks on the reports' output, whatever the input:
 * every JSON line is one valid JSON object (strict RFC 8259 numbers: no
 * nan, inf or leading zeros), every CSV row has the header's number of
 * fields, every conn.log row the #fields line's, and no row holds a
 * control character. */
#ifndef TCPFSM_FUZZ_OUTCHECK_H
#define TCPFSM_FUZZ_OUTCHECK_H

#include <stddef.h>

enum outcheck_kind { OUTCHECK_JSON, OUTCHECK_CSV, OUTCHECK_ZEEK };

/* NULL if buf[0, len) is well formed; else what is wrong, with *lineno set
 * to the 1-based line. */
const char *outcheck(enum outcheck_kind kind, const char *buf, size_t len, size_t *lineno);

#endif
