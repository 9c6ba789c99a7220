# tests/ui: the live view (tcpfsm -i, --ui, --no-ui) driven through a real
# terminal with tmux: live.sh on real connections between two network
# namespaces (root), replay.sh on the shipped captures, cli.sh for -D, the
# error messages and the non-terminal snapshots.  perf-live.sh (not run by
# make check) measures drops and CPU under tcpreplay; see docs/performance.md.
UI_TESTS = tests/ui/cli.sh tests/ui/replay.sh tests/ui/live.sh tests/ui/robust.sh tests/ui/progress.sh
TESTS += $(UI_TESTS)
EXTRA_DIST += $(UI_TESTS) tests/ui/common.sh tests/ui/perf-live.sh tests/ui/gen-traffic.py

# The ring of recent packets and transitions (src/ring.c).
check_PROGRAMS += tests/ui/test_ring
tests_ui_test_ring_SOURCES = tests/ui/test_ring.c
tests_ui_test_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
tests_ui_test_ring_CFLAGS = $(AM_CFLAGS)
tests_ui_test_ring_LDADD = libtcpfsm.a
TESTS += tests/ui/test_ring
