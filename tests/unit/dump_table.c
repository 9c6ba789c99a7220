/* dump_table.c - print tcpfsm's endpoint state table (src/tcpstate.c) as
 * Markdown, for docs/state-machine.md.
 *
 * The documentation keeps a copy of this output between two marker comments;
 * tests/cli/docs.sh runs this program and fails if the copy differs, so the
 * table in the documentation is always the table the program runs.
 *
 * Output: an overview (one row per event, one column per state, the next
 * state in each cell, "=" where the state does not change), then one table
 * per state with every event, the next state and the reason, exactly as
 * tcp_transition() returns them. */
#include <stdio.h>
#include <string.h>

#include "tcpstate.h"

/* Markdown table cells cannot hold a bare '|'. */
static void cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else
            putchar(*s);
    }
}

int main(void)
{
    printf("### Overview: next state for each (event, state)\n\n");
    printf("Rows are events, columns the state the endpoint is in; `=` means the state does not change.\n\n");
    printf("| event |");
    for (int s = 0; s < ST__COUNT; s++)
        printf(" %s |", tcp_state_name((enum tcp_state)s));
    printf("\n|---|");
    for (int s = 0; s < ST__COUNT; s++)
        printf("---|");
    printf("\n");
    for (int e = 0; e < EV__COUNT; e++) {
        printf("| `%s` |", tcp_event_name((enum tcp_event)e));
        for (int s = 0; s < ST__COUNT; s++) {
            const struct tcp_transition *t = tcp_transition((enum tcp_state)s, (enum tcp_event)e);
            if (t->next == s)
                printf(" = |");
            else
                printf(" %s |", tcp_state_name((enum tcp_state)t->next));
        }
        printf("\n");
    }

    for (int s = 0; s < ST__COUNT; s++) {
        printf("\n### From %s\n\n", tcp_state_name((enum tcp_state)s));
        printf("| event | next state | reason |\n|---|---|---|\n");
        for (int e = 0; e < EV__COUNT; e++) {
            const struct tcp_transition *t = tcp_transition((enum tcp_state)s, (enum tcp_event)e);
            printf("| `%s` | %s%s | ", tcp_event_name((enum tcp_event)e),
                   tcp_state_name((enum tcp_state)t->next), t->next == s ? " (=)" : "");
            cell(t->why);
            printf(" |\n");
        }
    }
    return ferror(stdout) ? 1 : 0;
}
