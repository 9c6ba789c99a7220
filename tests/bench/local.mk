# tests/bench: the benchmark kit (see tests/bench/README).  Only the trace
# generator's correctness check runs under make check; the benchmark itself is
# tests/bench/run.sh, run by hand.

check_PROGRAMS += tests/bench/gen
tests_bench_gen_SOURCES = tests/bench/gen.c
tests_bench_gen_LDADD = -lm
TESTS += tests/bench/gen-check.sh

EXTRA_DIST += tests/bench/README tests/bench/gen-check.sh tests/bench/compare-states.sh \
	tests/bench/run.sh tests/bench/floor.c
