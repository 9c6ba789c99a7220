# tests/soak: hostile random-tuple traffic from a deterministic generator;
# tcpfsm's memory stays bounded by --max-conns and every packet is accounted
# for.  make check runs a small version (seconds); docs/robustness.md gives
# the command for the big one.
check_PROGRAMS += tests/soak/soakgen
tests_soak_soakgen_SOURCES = tests/soak/soakgen.c
tests_soak_soakgen_CFLAGS = $(AM_CFLAGS)

TESTS += tests/soak/soak.sh
EXTRA_DIST += tests/soak/soak.sh
