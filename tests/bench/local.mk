# tests/bench: the benchmark kit (see tests/bench/README).  Only the checks of
# the trace generator's correctness and of the kit's clock (timeit) run under
# make check; the benchmark itself is tests/bench/run.sh, run by hand.

check_PROGRAMS += tests/bench/gen
tests_bench_gen_SOURCES = tests/bench/gen.c
tests_bench_gen_LDADD = -lm
TESTS += tests/bench/gen-check.sh
check_PROGRAMS += tests/bench/timeit
tests_bench_timeit_SOURCES = tests/bench/timeit.c
TESTS += tests/bench/timeit-check.sh

EXTRA_DIST += tests/bench/README tests/bench/compressed.sh tests/bench/gen-check.sh tests/bench/timeit-check.sh tests/bench/compare-states.sh \
	tests/bench/run.sh tests/bench/floor.c tests/bench/pagecost.sh tests/bench/ab.sh
