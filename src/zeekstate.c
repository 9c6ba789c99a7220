/* zeekstate.c - Zeek's conn_state table (see zeek-conn-semantics, section 4). */
#include "zeekstate.h"

#include <stdbool.h>
#include <string.h>

/* Does the whole history match ^?S[^HAFGIQ]*R.* ? */
static bool rstos0_history(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h && !strchr("HAFGIQ", *h); h++)
        if (*h == 'R')
            return true;
    return false;
}

const char *zeek_conn_state(int os, int rs, uint64_t orig_size, uint64_t resp_size, const char *history)
{
    bool o_inactive = os == ZST_INACTIVE || os == ZST_PARTIAL;
    bool r_inactive = rs == ZST_INACTIVE || rs == ZST_PARTIAL;

    if (rs == ZST_RESET) {
        if (os == ZST_SYN_SENT || os == ZST_SYN_ACK_SENT ||
            (os == ZST_RESET && orig_size == 0 && resp_size == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == ZST_RESET) {
        if (r_inactive)
            return rstos0_history(history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == ZST_CLOSED && os == ZST_CLOSED)
        return "SF";
    if (os == ZST_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == ZST_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == ZST_SYN_SENT && rs == ZST_INACTIVE)
        return "S0";
    if (os == ZST_ESTABLISHED && rs == ZST_ESTABLISHED)
        return "S1";
    return "OTH";
}
