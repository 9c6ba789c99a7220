/* tcpstate.c - the endpoint state machine: one table, one row per state.
 *
 * Read it against RFC 793, section 3.2, figure 6 (the state diagram) and
 * section 3.9 (event processing).  Arcs of the diagram are marked "RFC 793".
 * Every other cell says why a passive observer moves (or does not move) the
 * endpoint there.  Three habits of a sniffer shape the cells that differ from
 * a textbook:
 *
 *  1. A segment we saw is assumed delivered.  So the receive half of an arc
 *     is taken when we see the segment, not when the receiver answers.
 *  2. Later packets correct that assumption.  A retransmission is proof that
 *     the sender never got the answer we saw: a SYN sent again after the
 *     SYN-ACK, a SYN-ACK sent again after the handshake's ACK, a FIN sent
 *     again after its ACK.  Those send events move the sender back.
 *  3. A packet the capture missed can be inferred from what the endpoint
 *     does next: an endpoint in SYN_SENT that sends a plain ACK must have
 *     received a SYN-ACK; one that sends FIN must be synchronized.
 *
 * One deliberate difference from the diagram: a SYN arriving at a listener
 * leaves it in LISTEN.  RFC 793's arc LISTEN -> SYN_RCVD is "rcv SYN, snd
 * SYN,ACK", and we take it when we see the SYN,ACK.  A SYN that is never
 * answered (filtered, dropped, accept queue full) never created a connection,
 * and counting it as SYN_RCVD would invent half-open sockets.
 *
 * Cells marked "cannot happen" are combinations the tracker's classification
 * excludes (a FIN retransmitted by an endpoint that never sent one); they
 * keep the state so that a bug there is harmless. */
#include "tcpstate.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define T(state, reason) { ST_##state, reason }

const struct tcp_transition tcp_fsm[ST__COUNT][EV__COUNT] = {
[ST_CLOSED] = {  /* no connection: before an active open, or after it ended */
    [EV_SND_SYN]          = T(SYN_SENT,    "RFC 793: active open, CLOSED --snd SYN--> SYN_SENT"),
    [EV_SND_SYN_AGAIN]    = T(SYN_SENT,    "it retransmits its SYN: the reset or close we saw never reached it"),
    [EV_SND_SYNACK]       = T(SYN_RCVD,    "it answers a SYN, so a listener took it (RFC 793 LISTEN --rcv SYN, snd SYN,ACK--> SYN_RCVD)"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "it retransmits its SYN-ACK: what we took for its end never reached it"),
    [EV_SND_ACK]          = T(CLOSED,      "a stray or late segment from an endpoint without a connection"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSED,     "a late ACK of the peer's FIN from an endpoint whose connection has ended: no change"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSED,      "a late ACK of the peer's FIN from an endpoint whose connection has ended: no change"),
    [EV_SND_FIN]          = T(CLOSED,      "a FIN after the connection ended (after a reset): a late segment"),
    [EV_SND_FIN_PEERFIN]  = T(CLOSED,      "a FIN after the connection ended (after a reset): a late segment"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "its FIN again, without the peer's FIN: its FIN was never acknowledged"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "its FIN again, acknowledging the peer's: the final ACK we saw never reached it"),
    [EV_SND_RST]          = T(CLOSED,      "RFC 793: an endpoint without a connection answers with RST"),
    [EV_RCV_SYN]          = T(CLOSED,      "a SYN repeated to a port that refused it or to a closed endpoint: no new state"),
    [EV_RCV_SYNACK]       = T(CLOSED,      "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
    [EV_RCV_ACK]          = T(CLOSED,      "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
    [EV_RCV_ACK_OF_FIN]   = T(CLOSED,      "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
    [EV_RCV_FIN]          = T(CLOSED,      "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(CLOSED,    "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: a reset to a CLOSED endpoint is ignored"),
    [EV_RCV_BAD_ACK]      = T(CLOSED,      "RFC 793: a segment to a CLOSED endpoint is answered by RST"),
},
[ST_LISTEN] = {  /* a SYN reached this address and port; no answer seen yet */
    [EV_SND_SYN]          = T(SYN_SENT,    "RFC 793: LISTEN --send/snd SYN--> SYN_SENT (it opens actively: simultaneous open)"),
    [EV_SND_SYN_AGAIN]    = T(SYN_SENT,    "RFC 793: LISTEN --send/snd SYN--> SYN_SENT"),
    [EV_SND_SYNACK]       = T(SYN_RCVD,    "RFC 793: LISTEN --rcv SYN, snd SYN,ACK--> SYN_RCVD, taken when the SYN,ACK is seen"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "RFC 793: LISTEN --rcv SYN, snd SYN,ACK--> SYN_RCVD (its first SYN-ACK was not captured)"),
    [EV_SND_ACK]          = T(ESTABLISHED, "it sends data or an ACK, which only a synchronized endpoint does: the SYN-ACK and ACK were not captured"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSE_WAIT, "it acknowledges the peer's FIN, so it completed a handshake the capture missed and then got the FIN (RFC 793 ESTABLISHED --rcv FIN, snd ACK--> CLOSE_WAIT)"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSE_WAIT,  "cannot happen (the peer acknowledged a FIN it never sent): as snd_ack_peerfin"),
    [EV_SND_FIN]          = T(FIN_WAIT_1,  "it closes, which only a synchronized endpoint does: the handshake was not captured"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "it closes after the peer, which only a synchronized endpoint does: the handshake was not captured"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_RST]          = T(CLOSED,      "it answers the SYN with RST: nothing listens on that port (connection refused)"),
    [EV_RCV_SYN]          = T(LISTEN,      "a SYN arrives; it becomes SYN_RCVD when its SYN,ACK is seen: an unanswered SYN creates no connection"),
    [EV_RCV_SYNACK]       = T(LISTEN,      "RFC 793: an ACK arriving in LISTEN is answered by RST"),
    [EV_RCV_ACK]          = T(ESTABLISHED, "the client completes a handshake whose SYN-ACK the capture missed (RFC 793 SYN_RCVD --rcv ACK of SYN--> ESTABLISHED)"),
    [EV_RCV_ACK_OF_FIN]   = T(LISTEN,      "cannot happen (no FIN sent)"),
    [EV_RCV_FIN]          = T(CLOSE_WAIT,  "the peer closes, which it does only once synchronized: the handshake was not captured"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(LISTEN,    "cannot happen (no FIN sent)"),
    [EV_RCV_RST]          = T(LISTEN,      "RFC 793: a reset arriving in LISTEN is ignored"),
    [EV_RCV_BAD_ACK]      = T(LISTEN,      "RFC 793: an ACK arriving in LISTEN is answered by RST"),
},
[ST_SYN_SENT] = {  /* active open: SYN sent, waiting for SYN-ACK */
    [EV_SND_SYN]          = T(SYN_SENT,    "a second SYN while opening: still opening"),
    [EV_SND_SYN_AGAIN]    = T(SYN_SENT,    "SYN retransmitted: no SYN-ACK has reached it"),
    [EV_SND_SYNACK]       = T(SYN_RCVD,    "simultaneous open: it answers the peer's SYN (RFC 793 SYN_SENT --rcv SYN, snd SYN,ACK--> SYN_RCVD)"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "simultaneous open: SYN-ACK retransmitted"),
    [EV_SND_ACK]          = T(ESTABLISHED, "it acknowledges the peer, so it received a SYN-ACK the capture missed (RFC 793 SYN_SENT --rcv SYN,ACK, snd ACK--> ESTABLISHED)"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSE_WAIT, "it acknowledges the peer's FIN, so it got the SYN-ACK and then the FIN (RFC 793 ESTABLISHED --rcv FIN, snd ACK--> CLOSE_WAIT)"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSE_WAIT,  "cannot happen (the peer acknowledged a FIN it never sent): as snd_ack_peerfin"),
    [EV_SND_FIN]          = T(FIN_WAIT_1,  "it closes, which only a synchronized endpoint does: the SYN-ACK was not captured"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "it closes after the peer: the SYN-ACK was not captured"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts its own connection attempt"),
    [EV_RCV_SYN]          = T(SYN_RCVD,    "simultaneous open: the peer's SYN crosses ours (RFC 793 SYN_SENT --rcv SYN, snd ACK--> SYN_RCVD)"),
    [EV_RCV_SYNACK]       = T(ESTABLISHED, "RFC 793: SYN_SENT --rcv SYN,ACK, snd ACK--> ESTABLISHED"),
    [EV_RCV_ACK]          = T(SYN_SENT,    "RFC 793: an ACK without SYN does not complete an active open"),
    [EV_RCV_ACK_OF_FIN]   = T(SYN_SENT,    "cannot happen (no FIN sent)"),
    [EV_RCV_FIN]          = T(SYN_SENT,    "RFC 793: a FIN is not processed in SYN_SENT"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(SYN_SENT,  "cannot happen (no FIN sent)"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: a reset acknowledging our SYN: connection refused"),
    [EV_RCV_BAD_ACK]      = T(SYN_SENT,    "RFC 793: a SYN-ACK for another SYN is answered by RST; still opening"),
},
[ST_SYN_RCVD] = {  /* SYN received and answered with SYN-ACK */
    [EV_SND_SYN]          = T(SYN_RCVD,    "a SYN while the handshake is under way: no change"),
    [EV_SND_SYN_AGAIN]    = T(SYN_RCVD,    "simultaneous open: its SYN retransmitted"),
    [EV_SND_SYNACK]       = T(SYN_RCVD,    "its SYN-ACK: waiting for the handshake's ACK"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "SYN-ACK retransmitted: the handshake's ACK has not reached it"),
    [EV_SND_ACK]          = T(ESTABLISHED, "it sends data or a plain ACK, which it does once the handshake's ACK has reached it"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSE_WAIT, "it acknowledges the peer's FIN, which had reached it (RFC 793 SYN_RCVD --rcv FIN, snd ACK--> CLOSE_WAIT)"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSE_WAIT,  "cannot happen (the peer acknowledged a FIN it never sent): as snd_ack_peerfin"),
    [EV_SND_FIN]          = T(FIN_WAIT_1,  "RFC 793: SYN_RCVD --close, snd FIN--> FIN_WAIT_1"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "it closes after the peer's FIN (taken on the handshake's ACK): LAST_ACK"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the half-open connection"),
    [EV_RCV_SYN]          = T(SYN_RCVD,    "the peer retransmits its SYN: our SYN-ACK did not reach it; it will send the SYN-ACK again"),
    [EV_RCV_SYNACK]       = T(ESTABLISHED, "simultaneous open: the peer's SYN,ACK acknowledges our SYN (RFC 793 SYN_RCVD --rcv ACK of SYN--> ESTABLISHED)"),
    [EV_RCV_ACK]          = T(ESTABLISHED, "RFC 793: SYN_RCVD --rcv ACK of SYN--> ESTABLISHED (the handshake's third segment)"),
    [EV_RCV_ACK_OF_FIN]   = T(ESTABLISHED, "cannot happen (no FIN sent): the ACK completes the handshake"),
    [EV_RCV_FIN]          = T(CLOSE_WAIT,  "RFC 793: the ACK completes the handshake, then the FIN closes the peer's side: CLOSE_WAIT"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(CLOSE_WAIT, "cannot happen (no FIN sent): as a FIN"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset ends the half-open connection (a listener stays in LISTEN)"),
    [EV_RCV_BAD_ACK]      = T(SYN_RCVD,    "RFC 793: an ACK that does not acknowledge our SYN is answered by RST; no change"),
},
[ST_ESTABLISHED] = {
    [EV_SND_SYN]          = T(ESTABLISHED, "a SYN inside an established connection: no change"),
    [EV_SND_SYN_AGAIN]    = T(SYN_SENT,    "it retransmits its SYN: the SYN-ACK we saw never reached it"),
    [EV_SND_SYNACK]       = T(ESTABLISHED, "simultaneous open: it answers the peer's SYN after its own SYN was acknowledged"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "it retransmits its SYN-ACK: the handshake's ACK we saw never reached it"),
    [EV_SND_ACK]          = T(ESTABLISHED, "data or ACK: no change"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSE_WAIT, "it acknowledges the peer's FIN, which had reached it (RFC 793 ESTABLISHED --rcv FIN, snd ACK--> CLOSE_WAIT)"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSE_WAIT,  "cannot happen (the peer acknowledged a FIN it never sent): as snd_ack_peerfin"),
    [EV_SND_FIN]          = T(FIN_WAIT_1,  "RFC 793: active close, ESTABLISHED --close, snd FIN--> FIN_WAIT_1"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "its FIN acknowledges the peer's FIN, so that FIN had reached it: it closes second (RFC 793 CLOSE_WAIT --close, snd FIN--> LAST_ACK)"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "cannot happen (no earlier FIN): treated as a first FIN"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(ESTABLISHED, "a SYN in a synchronized state gets a challenge ACK (RFC 5961 section 4); no change"),
    [EV_RCV_SYNACK]       = T(ESTABLISHED, "a retransmitted SYN-ACK: it acknowledges again; no change"),
    [EV_RCV_ACK]          = T(ESTABLISHED, "data or ACK: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(ESTABLISHED, "cannot happen (no FIN sent)"),
    [EV_RCV_FIN]          = T(CLOSE_WAIT,  "RFC 793: passive close, ESTABLISHED --rcv FIN, snd ACK--> CLOSE_WAIT"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(CLOSE_WAIT, "cannot happen (no FIN sent): as a FIN"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset aborts the connection"),
    [EV_RCV_BAD_ACK]      = T(ESTABLISHED, "an ACK for nothing we sent: answered by an ACK; no change"),
},
[ST_FIN_WAIT_1] = {  /* it closed first; its FIN is not yet acknowledged */
    [EV_SND_SYN]          = T(FIN_WAIT_1,  "a SYN while closing: no change"),
    [EV_SND_SYN_AGAIN]    = T(FIN_WAIT_1,  "a SYN while closing: no change"),
    [EV_SND_SYNACK]       = T(FIN_WAIT_1,  "a SYN-ACK while closing: no change"),
    [EV_SND_SYNACK_AGAIN] = T(FIN_WAIT_1,  "a SYN-ACK while closing: no change"),
    [EV_SND_ACK]          = T(FIN_WAIT_1,  "an ACK of the peer's data (data after its own FIN would be an anomaly); no change"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSING,    "it acknowledges the peer's FIN, which did not acknowledge its own: the FINs crossed (RFC 793 FIN_WAIT_1 --rcv FIN, snd ACK--> CLOSING)"),
    [EV_SND_ACK_BOTHFIN]  = T(TIME_WAIT,   "it acknowledges the peer's FIN, which the peer sent having acknowledged its FIN: both reached it (RFC 793 FIN_WAIT_1 --rcv FIN,ACK of FIN, snd ACK--> TIME_WAIT) after a retransmission of its FIN had moved it back"),
    [EV_SND_FIN]          = T(FIN_WAIT_1,  "a FIN at a new position while closing: no change"),
    [EV_SND_FIN_PEERFIN]  = T(CLOSING,     "a FIN acknowledging the peer's FIN, which had reached it: both FINs out, its own unacknowledged"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "FIN retransmitted: still unacknowledged"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(CLOSING, "its FIN again, acknowledging the peer's FIN, which had reached it: CLOSING"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(FIN_WAIT_1,  "a SYN in a synchronized state gets a challenge ACK; no change"),
    [EV_RCV_SYNACK]       = T(FIN_WAIT_1,  "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(FIN_WAIT_1,  "an ACK that does not cover our FIN: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(FIN_WAIT_2,  "RFC 793: FIN_WAIT_1 --rcv ACK of FIN--> FIN_WAIT_2"),
    [EV_RCV_FIN]          = T(CLOSING,     "RFC 793: crossing FINs, FIN_WAIT_1 --rcv FIN, snd ACK--> CLOSING"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(TIME_WAIT, "RFC 793: FIN_WAIT_1 --rcv FIN,ACK of FIN, snd ACK--> TIME_WAIT"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset aborts the connection"),
    [EV_RCV_BAD_ACK]      = T(FIN_WAIT_1,  "an ACK for nothing we sent: no change"),
},
[ST_FIN_WAIT_2] = {  /* its FIN is acknowledged; waiting for the peer's FIN */
    [EV_SND_SYN]          = T(FIN_WAIT_2,  "a SYN while closing: no change"),
    [EV_SND_SYN_AGAIN]    = T(FIN_WAIT_2,  "a SYN while closing: no change"),
    [EV_SND_SYNACK]       = T(FIN_WAIT_2,  "a SYN-ACK while closing: no change"),
    [EV_SND_SYNACK_AGAIN] = T(FIN_WAIT_2,  "a SYN-ACK while closing: no change"),
    [EV_SND_ACK]          = T(FIN_WAIT_2,  "it acknowledges the peer's data (half-close): no change"),
    [EV_SND_ACK_PEERFIN]  = T(TIME_WAIT,  "it acknowledges the peer's FIN, which had reached it (RFC 793 FIN_WAIT_2 --rcv FIN, snd ACK--> TIME_WAIT): the peer's FIN arrived after a retransmission of its own had moved it back"),
    [EV_SND_ACK_BOTHFIN]  = T(TIME_WAIT,   "it acknowledges the peer's FIN, which had reached it (RFC 793 FIN_WAIT_2 --rcv FIN, snd ACK--> TIME_WAIT)"),
    [EV_SND_FIN]          = T(FIN_WAIT_2,  "a FIN at a new position while closing: no change"),
    [EV_SND_FIN_PEERFIN]  = T(TIME_WAIT,   "a FIN acknowledging the peer's FIN, which had reached it: both FINs exchanged and its own acknowledged"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "it retransmits its FIN: the ACK we saw never reached it"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(CLOSING, "it retransmits its FIN, acknowledging the peer's: the ACK of its FIN never reached it"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(FIN_WAIT_2,  "a SYN in a synchronized state gets a challenge ACK; no change"),
    [EV_RCV_SYNACK]       = T(FIN_WAIT_2,  "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(FIN_WAIT_2,  "data or ACK from the peer (half-close): no change"),
    [EV_RCV_ACK_OF_FIN]   = T(FIN_WAIT_2,  "a duplicate ACK of our FIN: no change"),
    [EV_RCV_FIN]          = T(TIME_WAIT,   "RFC 793: FIN_WAIT_2 --rcv FIN, snd ACK--> TIME_WAIT"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(TIME_WAIT, "RFC 793: FIN_WAIT_2 --rcv FIN, snd ACK--> TIME_WAIT"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset aborts the connection"),
    [EV_RCV_BAD_ACK]      = T(FIN_WAIT_2,  "an ACK for nothing we sent: no change"),
},
[ST_CLOSE_WAIT] = {  /* the peer closed; waiting for the application to close */
    [EV_SND_SYN]          = T(CLOSE_WAIT,  "a SYN after the peer's FIN: no change"),
    [EV_SND_SYN_AGAIN]    = T(CLOSE_WAIT,  "a SYN after the peer's FIN: no change"),
    [EV_SND_SYNACK]       = T(CLOSE_WAIT,  "a SYN-ACK after the peer's FIN: no change"),
    [EV_SND_SYNACK_AGAIN] = T(SYN_RCVD,    "it retransmits its SYN-ACK: the handshake's ACK we saw never reached it, nor the FIN after it (a full accept queue)"),
    [EV_SND_ACK]          = T(CLOSE_WAIT,  "it may still send data after the peer's FIN (half-close): no change"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSE_WAIT, "it acknowledges the peer's FIN or data after it: no change"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSE_WAIT,  "cannot happen (the peer acknowledged a FIN it never sent): no change"),
    [EV_SND_FIN]          = T(CLOSING,     "its FIN does not acknowledge the peer's FIN: the FINs crossed (simultaneous close)"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "RFC 793: CLOSE_WAIT --close, snd FIN--> LAST_ACK"),
    [EV_SND_FIN_AGAIN]    = T(CLOSING,     "cannot happen (no earlier FIN): as a first FIN"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "cannot happen (no earlier FIN): as a first FIN"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(CLOSE_WAIT,  "a SYN in a synchronized state gets a challenge ACK; no change"),
    [EV_RCV_SYNACK]       = T(CLOSE_WAIT,  "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(CLOSE_WAIT,  "an ACK of our data: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(CLOSE_WAIT,  "cannot happen (no FIN sent)"),
    [EV_RCV_FIN]          = T(CLOSE_WAIT,  "the peer retransmits its FIN (our ACK did not reach it): no change"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(CLOSE_WAIT, "cannot happen (no FIN sent)"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset aborts the connection"),
    [EV_RCV_BAD_ACK]      = T(CLOSE_WAIT,  "an ACK for nothing we sent: no change"),
},
[ST_CLOSING] = {  /* both FINs out; ours not yet acknowledged */
    [EV_SND_SYN]          = T(CLOSING,     "a SYN while closing: no change"),
    [EV_SND_SYN_AGAIN]    = T(CLOSING,     "a SYN while closing: no change"),
    [EV_SND_SYNACK]       = T(CLOSING,     "a SYN-ACK while closing: no change"),
    [EV_SND_SYNACK_AGAIN] = T(CLOSING,     "a SYN-ACK while closing: no change"),
    [EV_SND_ACK]          = T(CLOSING,     "an ACK not covering the peer's FIN (of data before it): no change"),
    [EV_SND_ACK_PEERFIN]  = T(CLOSING,    "it acknowledges the peer's FIN: no change"),
    [EV_SND_ACK_BOTHFIN]  = T(CLOSING,     "it acknowledges the peer's FIN again; its retransmitted FIN showed the ACK of its own had not reached it: no change"),
    [EV_SND_FIN]          = T(CLOSING,     "a FIN at a new position: no change"),
    [EV_SND_FIN_PEERFIN]  = T(CLOSING,     "a FIN at a new position: no change"),
    [EV_SND_FIN_AGAIN]    = T(CLOSING,     "FIN retransmitted: still unacknowledged"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(CLOSING, "FIN retransmitted: still unacknowledged"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(CLOSING,     "a SYN in a synchronized state gets a challenge ACK; no change"),
    [EV_RCV_SYNACK]       = T(CLOSING,     "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(CLOSING,     "an ACK that does not cover our FIN: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(TIME_WAIT,   "RFC 793: CLOSING --rcv ACK of FIN--> TIME_WAIT"),
    [EV_RCV_FIN]          = T(CLOSING,     "the peer's FIN retransmitted: no change"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(TIME_WAIT, "the peer's FIN again, now acknowledging ours: RFC 793 CLOSING --rcv ACK of FIN--> TIME_WAIT"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: an acceptable reset aborts the connection"),
    [EV_RCV_BAD_ACK]      = T(CLOSING,     "an ACK for nothing we sent: no change"),
},
[ST_LAST_ACK] = {  /* it closed second; waiting for the ACK of its FIN */
    [EV_SND_SYN]          = T(LAST_ACK,    "a SYN while closing: no change"),
    [EV_SND_SYN_AGAIN]    = T(LAST_ACK,    "a SYN while closing: no change"),
    [EV_SND_SYNACK]       = T(LAST_ACK,    "a SYN-ACK while closing: no change"),
    [EV_SND_SYNACK_AGAIN] = T(LAST_ACK,    "a SYN-ACK while closing: no change"),
    [EV_SND_ACK]          = T(LAST_ACK,    "an ACK while waiting for the final ACK: no change"),
    [EV_SND_ACK_PEERFIN]  = T(LAST_ACK,   "it acknowledges the peer's FIN again while waiting for the final ACK: no change"),
    [EV_SND_ACK_BOTHFIN]  = T(LAST_ACK,    "it acknowledges the peer's FIN again while waiting for the final ACK: no change"),
    [EV_SND_FIN]          = T(LAST_ACK,    "a FIN at a new position: no change"),
    [EV_SND_FIN_PEERFIN]  = T(LAST_ACK,    "a FIN at a new position: no change"),
    [EV_SND_FIN_AGAIN]    = T(LAST_ACK,    "FIN retransmitted: the final ACK has not reached it"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(LAST_ACK, "FIN retransmitted: the final ACK has not reached it"),
    [EV_SND_RST]          = T(CLOSED,      "it aborts the connection with RST"),
    [EV_RCV_SYN]          = T(LAST_ACK,    "a SYN in a synchronized state gets a challenge ACK; no change"),
    [EV_RCV_SYNACK]       = T(LAST_ACK,    "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(LAST_ACK,    "an ACK that does not cover our FIN: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(CLOSED,      "RFC 793: LAST_ACK --rcv ACK of FIN--> CLOSED (the final ACK)"),
    [EV_RCV_FIN]          = T(LAST_ACK,    "the peer's FIN retransmitted (our ACK of it was lost): no change"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(CLOSED,    "RFC 793: the segment acknowledges our FIN, LAST_ACK --rcv ACK of FIN--> CLOSED"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793: a reset in LAST_ACK closes"),
    [EV_RCV_BAD_ACK]      = T(LAST_ACK,    "an ACK for nothing we sent: no change"),
},
[ST_TIME_WAIT] = {  /* both FINs exchanged and acknowledged; waits 2 MSL */
    [EV_SND_SYN]          = T(TIME_WAIT,   "a SYN while in TIME_WAIT (a new connection is a new record): no change"),
    [EV_SND_SYN_AGAIN]    = T(TIME_WAIT,   "a SYN while in TIME_WAIT: no change"),
    [EV_SND_SYNACK]       = T(TIME_WAIT,   "a SYN-ACK while in TIME_WAIT: no change"),
    [EV_SND_SYNACK_AGAIN] = T(TIME_WAIT,   "a SYN-ACK while in TIME_WAIT: no change"),
    [EV_SND_ACK]          = T(TIME_WAIT,   "a late ACK not covering the peer's FIN: no change"),
    [EV_SND_ACK_PEERFIN]  = T(TIME_WAIT,  "it acknowledges a retransmitted FIN: no change"),
    [EV_SND_ACK_BOTHFIN]  = T(TIME_WAIT,   "it acknowledges a retransmitted FIN: no change"),
    [EV_SND_FIN]          = T(TIME_WAIT,   "a FIN at a new position: no change"),
    [EV_SND_FIN_PEERFIN]  = T(TIME_WAIT,   "a FIN at a new position: no change"),
    [EV_SND_FIN_AGAIN]    = T(FIN_WAIT_1,  "it retransmits its FIN without acknowledging the peer's: neither the peer's FIN nor the ACK of its own reached it"),
    [EV_SND_FIN_AGAIN_PEERFIN] = T(CLOSING, "it retransmits its FIN but has the peer's: the ACK of its FIN never reached it"),
    [EV_SND_RST]          = T(CLOSED,      "it ends TIME_WAIT with RST"),
    [EV_RCV_SYN]          = T(TIME_WAIT,   "an old SYN in TIME_WAIT (a new one starts a new record): no change"),
    [EV_RCV_SYNACK]       = T(TIME_WAIT,   "a late SYN-ACK: no change"),
    [EV_RCV_ACK]          = T(TIME_WAIT,   "a late ACK: no change"),
    [EV_RCV_ACK_OF_FIN]   = T(TIME_WAIT,   "a duplicate ACK of our FIN: no change"),
    [EV_RCV_FIN]          = T(TIME_WAIT,   "RFC 793: a retransmitted FIN is acknowledged again and restarts the 2 MSL timer"),
    [EV_RCV_FIN_ACK_OF_FIN] = T(TIME_WAIT, "RFC 793: a retransmitted FIN is acknowledged again and restarts the 2 MSL timer"),
    [EV_RCV_RST]          = T(CLOSED,      "RFC 793 (and Linux by default) let an acceptable reset end TIME_WAIT; RFC 1337 stacks ignore it"),
    [EV_RCV_BAD_ACK]      = T(TIME_WAIT,   "an ACK for nothing we sent: no change"),
},
};

const struct tcp_transition tcp_transition_invalid = { ST_CLOSED, "invalid state or event" };

static const char *const state_names[ST__COUNT] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

static const char *const event_names[EV__COUNT] = {
    "snd_syn", "snd_syn_again", "snd_synack", "snd_synack_again", "snd_ack",
    "snd_ack_peerfin", "snd_ack_bothfin", "snd_fin", "snd_fin_peerfin", "snd_fin_again", "snd_fin_again_peerfin", "snd_rst",
    "rcv_syn", "rcv_synack", "rcv_ack", "rcv_ack_of_fin", "rcv_fin",
    "rcv_fin_ack_of_fin", "rcv_rst", "rcv_bad_ack",
};

const char *tcp_state_name(enum tcp_state s)
{
    return (unsigned)s < ST__COUNT ? state_names[s] : "?";
}

const char *tcp_event_name(enum tcp_event e)
{
    if (e == EV_TIMEOUT)
        return "timeout_2msl";
    if (e == EV_RST_NOT_TAKEN)
        return "rst_not_taken";
    if (e == EV_FIN_INFERRED)
        return "fin_inferred";
    if (e == EV_ICMP_ERROR)
        return "icmp_error";
    if (e == EV_FIN_LOST)
        return "fin_lost";
    if (e == EV_GAVE_UP)
        return "gave_up";
    if (e == EV_REQUEST_DROPPED)
        return "request_dropped";
    return (unsigned)e < EV__COUNT ? event_names[e] : "?";
}

int tcp_state_parse(const char *name)
{
    for (int s = 0; s < ST__COUNT; s++) {
        const char *a = state_names[s], *b = name;
        while (*a && *b) {
            char cb = (char)toupper((unsigned char)*b);
            if (cb == '-')
                cb = '_';
            if (cb != *a)
                break;
            a++, b++;
        }
        if (!*a && !*b)
            return s;
    }
    /* ss and Linux spell two states differently */
    if (!strcasecmp(name, "SYN-RECV") || !strcasecmp(name, "SYN_RECV"))
        return ST_SYN_RCVD;
    if (!strcasecmp(name, "ESTAB"))
        return ST_ESTABLISHED;
    if (!strcasecmp(name, "FIN_WAIT1") || !strcasecmp(name, "FIN-WAIT1"))
        return ST_FIN_WAIT_1;
    if (!strcasecmp(name, "FIN_WAIT2") || !strcasecmp(name, "FIN-WAIT2"))
        return ST_FIN_WAIT_2;
    if (!strcasecmp(name, "CLOSE"))
        return ST_CLOSED;       /* net-tools' name for CLOSED */
    if (!strcasecmp(name, "UNCONN"))
        return ST_CLOSED;
    return -1;
}
