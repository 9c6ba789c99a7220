# tests/ui/common.sh - helpers for the live view's tests.  Source after
# tests/lib.sh.
#
# A test drives tcpfsm through a real terminal: tmux runs it (on its own
# server socket, named for the test's PID), send-keys types, capture-pane
# reads the screen.  Live tests build two network namespaces joined by a veth
# pair (documentation addresses only: 192.0.2.0/24, 2001:db8::/64) and drive
# real sockets with tests/kernel/agent.py.  Everything started is recorded by
# PID (or by its own tmux socket) and ended on exit; every wait is bounded.

PATH=$PATH:/usr/sbin:/sbin
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
AGENT=$top_srcdir/tests/kernel/agent.py
U_TMUX="tcpfsm-ui-$$"
U_PIDS=""
U_NSES=""
U_FDS=""

u_cleanup() {
    local pid i ns fd
    tmux -L "$U_TMUX" kill-server 2>/dev/null
    for pid in $U_PIDS; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in $U_PIDS; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 40 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for fd in $U_FDS; do
        eval "exec $fd>&-"
    done
    for ns in $U_NSES; do
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "${TMPD:-}" ] && rm -rf "$TMPD"
}

# u_setup [root]: scratch dir, traps; with "root", skip (77) unless root.
u_setup() {
    if [ "${1:-}" = root ] && [ "$(id -u)" != 0 ]; then
        echo "SKIP: this test needs root (network namespaces, live capture)"
        exit 77
    fi
    if ! command -v tmux >/dev/null; then
        echo "tmux is missing (apt-get install tmux)"
        exit 1
    fi
    TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-ui.XXXXXX")
    chmod 755 "$TMPD"
    trap u_cleanup EXIT
    trap 'exit 1' INT TERM
}

# ---------------------------------------------------------------- tmux ---

# u_term COLS ROWS: a tmux session with a plain shell whose prompt is
# "READY$ ", in network namespace $1 if U_NS is set.
u_term() {
    # (no history file: bash writes one into HOME when tmux ends it, which
    # raced with the removal of the scratch directory)
    local cols=$1 rows=$2 cmd="env -i PATH=$PATH TERM=xterm-256color HOME=$TMPD HISTFILE= LANG=C.UTF-8 bash --norc --noprofile"
    [ -n "${U_NS:-}" ] && cmd="ip netns exec $U_NS $cmd"
    tmux -L "$U_TMUX" -f /dev/null new-session -d -s t -x "$cols" -y "$rows" "$cmd"
    tmux -L "$U_TMUX" set-option -t t status off >/dev/null
    tmux -L "$U_TMUX" send-keys -t t "PS1='READY\$ '; cd '$TMPD'" Enter
    u_wait_screen 'READY\$' 50 >/dev/null
    tmux -L "$U_TMUX" send-keys -t t "clear" Enter
}

u_keys() { tmux -L "$U_TMUX" send-keys -t t "$@"; }
u_screen() { tmux -L "$U_TMUX" capture-pane -p -t t; }
u_alt() { tmux -L "$U_TMUX" display -p -t t '#{alternate_on}'; }
u_resize() { tmux -L "$U_TMUX" resize-window -t t -x "$1" -y "$2"; }

# u_wait_screen REGEX [TRIES]: poll the screen (every 0.1 s) until a line
# matches; prints the screen; false if it never did.
u_wait_screen() {
    local re=$1 tries=${2:-100} i=0 s
    while [ $i -lt "$tries" ]; do
        s=$(u_screen 2>/dev/null)
        if printf '%s\n' "$s" | grep -Eq -- "$re"; then
            printf '%s\n' "$s"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    printf '%s\n' "$s"
    return 1
}

# u_wait_gone REGEX [TRIES]: until no line matches.
u_wait_gone() {
    local re=$1 tries=${2:-100} i=0 s
    while [ $i -lt "$tries" ]; do
        s=$(u_screen 2>/dev/null)
        if ! printf '%s\n' "$s" | grep -Eq -- "$re"; then
            printf '%s\n' "$s"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    printf '%s\n' "$s"
    return 1
}

# check_screen DESCRIPTION REGEX [TRIES]
check_screen() {
    local out
    if out=$(u_wait_screen "$2" "${3:-100}"); then
        pass "$1"
    else
        fail "$1 (no line matches /$2/); the screen was:"
        printf '%s\n' "$out" | sed 's/^/#   | /'
    fi
}

# check_not_screen DESCRIPTION REGEX [TRIES]
check_not_screen() {
    local out
    if out=$(u_wait_gone "$2" "${3:-100}"); then
        pass "$1"
    else
        fail "$1 (a line still matches /$2/); the screen was:"
        printf '%s\n' "$out" | sed 's/^/#   | /'
    fi
}

# u_wait_prompt: until the shell's prompt is the last line on the screen.
u_wait_prompt() {
    local i=0
    while [ $i -lt 100 ]; do
        [ "$(u_screen | grep -v '^ *$' | tail -1)" = 'READY$' ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# check_prompt DESCRIPTION [PID]: tcpfsm (PID) has exited and the shell's
# prompt is the last line on the screen.
check_prompt() {
    local what=$1 pid=${2:-} i=0 last=""
    while [ $i -lt 100 ]; do
        last=$(u_screen | grep -v '^ *$' | tail -1)
        if [ "$last" = 'READY$' ] && { [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; }; then
            pass "$what"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "$what (last line: '$last'$( [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo '; tcpfsm still runs'))"
    u_screen | sed 's/^/#   | /'
    return 1
}

# u_tcpfsm_pid: the PID of tcpfsm running in the pane (a child of its shell).
u_tcpfsm_pid() { u_child_pid tcpfsm; }

# u_child_pid NAME: the PID of program NAME running in the pane.
u_child_pid() {
    local shell i=0 pid
    shell=$(tmux -L "$U_TMUX" display -p -t t '#{pane_pid}')
    while [ $i -lt 50 ]; do
        for pid in $(ps -o pid= --ppid "$shell" 2>/dev/null); do
            if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$1" ]; then
                echo "$pid"
                return 0
            fi
        done
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# ---------------------------------------------------------- namespaces ---

# u_net: namespaces $U_NSC (client, 192.0.2.10, 2001:db8::10, interface
# $U_IFC) and $U_NSS (server, 192.0.2.80, 2001:db8::80, interface $U_IFS).
u_net() {
    local t=$$
    U_NSC=tfui-c-$t
    U_NSS=tfui-s-$t
    U_IFC=tfc$t
    U_IFS=tfs$t
    ip netns add "$U_NSC" || return 1
    U_NSES="$U_NSES $U_NSC"
    ip netns add "$U_NSS" || return 1
    U_NSES="$U_NSES $U_NSS"
    ip link add "$U_IFC" netns "$U_NSC" type veth peer name "$U_IFS" netns "$U_NSS" || return 1
    ip -n "$U_NSC" addr add 192.0.2.10/24 dev "$U_IFC"
    ip -n "$U_NSS" addr add 192.0.2.80/24 dev "$U_IFS"
    ip -n "$U_NSC" addr add 2001:db8::10/64 dev "$U_IFC" nodad
    ip -n "$U_NSS" addr add 2001:db8::80/64 dev "$U_IFS" nodad
    ip -n "$U_NSC" link set lo up
    ip -n "$U_NSS" link set lo up
    ip -n "$U_NSC" link set "$U_IFC" up
    ip -n "$U_NSS" link set "$U_IFS" up
}

# u_agent NAME NS: start agent.py in NS with its command pipe on fd pair.
# Talk to it with: u_cmd NAME COMMAND...  (prints the answer line)
u_agent() {
    local name=$1 ns=$2 in=$TMPD/$1.in out=$TMPD/$1.out fd_in fd_out
    mkfifo "$in" "$out"
    OP_TIMEOUT=5 AGENT_LIFETIME=120 ip netns exec "$ns" "$PY" "$AGENT" <"$in" >"$out" 2>"$TMPD/$name.err" &
    U_PIDS="$U_PIDS $!"
    exec {fd_in}>"$in"
    exec {fd_out}<"$out"
    U_FDS="$U_FDS $fd_in $fd_out"
    eval "U_IN_$name=$fd_in U_OUT_$name=$fd_out"
}

u_cmd() {
    local name=$1 fin fout line
    shift
    eval "fin=\$U_IN_$name fout=\$U_OUT_$name"
    echo "$*" >&"$fin"
    if ! IFS= read -r -t 15 line <&"$fout"; then
        echo "err no answer"
        return 1
    fi
    echo "$line"
    case $line in ok*) return 0 ;; *) return 1 ;; esac
}
