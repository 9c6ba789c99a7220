/* live.h - the live view's run: capture live (-i) or replay a file (-r with
 * --ui), feed the model, and show it on the terminal or, without one, print
 * snapshots and the report at the end. */
#ifndef TCPFSM_LIVE_H
#define TCPFSM_LIVE_H

#include "options.h"

/* -i, -D, or --ui: runs to the end; returns the exit status. */
int run_live(struct options *opt);

#endif
