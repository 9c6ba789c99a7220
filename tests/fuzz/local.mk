# tests/fuzz: the fuzz targets' regression inputs, replayed in make check.
# The targets themselves build with clang and libFuzzer (tests/fuzz/build.sh,
# tests/fuzz/run.sh); here the same target sources are compiled with the
# project's compiler and a small main() that reads files (replay_main.c), and
# linked with libtcpfsm.a, so make check needs no clang.  See docs/robustness.md.
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src -I$(top_srcdir)/tests/fuzz
FUZZ_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
FUZZ_LDADD = libtcpfsm.a $(PCAP_LINK) $(NCURSES_LIBS) -lm

check_PROGRAMS += tests/fuzz/replay_packets tests/fuzz/replay_file
tests_fuzz_replay_packets_SOURCES = tests/fuzz/fuzz_packets.c tests/fuzz/pipeline.c tests/fuzz/outcheck.c \
	tests/fuzz/pipeline.h tests/fuzz/outcheck.h tests/fuzz/replay_main.c
tests_fuzz_replay_packets_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_replay_packets_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_replay_packets_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_file_SOURCES = tests/fuzz/fuzz_file.c tests/fuzz/pipeline.c tests/fuzz/outcheck.c \
	tests/fuzz/pipeline.h tests/fuzz/outcheck.h tests/fuzz/replay_main.c
tests_fuzz_replay_file_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_replay_file_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_replay_file_LDADD = $(FUZZ_LDADD)

TESTS += tests/fuzz/replay.sh tests/fuzz/valgrind.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/valgrind.sh tests/fuzz/build.sh tests/fuzz/run.sh \
	tests/fuzz/mkseeds.py tests/fuzz/sanitizer_options.c tests/fuzz/packets.dict \
	tests/fuzz/file.dict tests/fuzz/ubsan-known.supp tests/fuzz/known-open \
	tests/fuzz/regressions
