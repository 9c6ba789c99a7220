# tests/unit: C unit tests of libtcpfsm.a (see Makefile.am).
# No framework: tests/unit/unit.h holds the assertion helper.

UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src -I$(top_srcdir)/tests/unit
UNIT_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
UNIT_LDADD = libtcpfsm.a $(PCAP_LINK) -lm

check_PROGRAMS += tests/unit/test_tcpstate
tests_unit_test_tcpstate_SOURCES = tests/unit/test_tcpstate.c tests/unit/unit.h
tests_unit_test_tcpstate_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_tcpstate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tcpstate_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_tcpstate

check_PROGRAMS += tests/unit/test_decode
tests_unit_test_decode_SOURCES = tests/unit/test_decode.c tests/unit/unit.h
tests_unit_test_decode_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_decode_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_decode_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_decode

check_PROGRAMS += tests/unit/test_conntab
tests_unit_test_conntab_SOURCES = tests/unit/test_conntab.c tests/unit/unit.h
tests_unit_test_conntab_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_conntab_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conntab_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_conntab

check_PROGRAMS += tests/unit/test_tracker
tests_unit_test_tracker_SOURCES = tests/unit/test_tracker.c tests/unit/unit.h
tests_unit_test_tracker_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_tracker_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tracker_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_tracker

# Not a test: prints the state table as Markdown for docs/state-machine.md
# (tests/cli/docs.sh compares the two).
check_PROGRAMS += tests/unit/dump_table
tests_unit_dump_table_SOURCES = tests/unit/dump_table.c
tests_unit_dump_table_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_dump_table_CFLAGS = $(UNIT_CFLAGS)
tests_unit_dump_table_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_text
tests_unit_test_text_SOURCES = tests/unit/test_text.c tests/unit/unit.h
tests_unit_test_text_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_text_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_text_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_text

check_PROGRAMS += tests/unit/test_pileup
tests_unit_test_pileup_SOURCES = tests/unit/test_pileup.c tests/unit/unit.h
tests_unit_test_pileup_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_pileup_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pileup_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_pileup

check_PROGRAMS += tests/unit/test_outwriter
tests_unit_test_outwriter_SOURCES = tests/unit/test_outwriter.c tests/unit/unit.h
tests_unit_test_outwriter_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_outwriter_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_outwriter_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_outwriter

check_PROGRAMS += tests/unit/test_handoff
tests_unit_test_handoff_SOURCES = tests/unit/test_handoff.c tests/unit/unit.h
tests_unit_test_handoff_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_handoff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_handoff_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_handoff

check_PROGRAMS += tests/unit/test_connview
tests_unit_test_connview_SOURCES = tests/unit/test_connview.c tests/unit/unit.h
tests_unit_test_connview_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_connview_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_connview_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_connview

check_PROGRAMS += tests/unit/test_line
tests_unit_test_line_SOURCES = tests/unit/test_line.c tests/unit/unit.h
tests_unit_test_line_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_line_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_line_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_line

check_PROGRAMS += tests/unit/test_smalltab
tests_unit_test_smalltab_SOURCES = tests/unit/test_smalltab.c tests/unit/unit.h
tests_unit_test_smalltab_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_smalltab_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_smalltab_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_smalltab

check_PROGRAMS += tests/unit/test_filemap
tests_unit_test_filemap_SOURCES = tests/unit/test_filemap.c tests/unit/unit.h
tests_unit_test_filemap_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_filemap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_filemap_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_filemap

check_PROGRAMS += tests/unit/test_pcaplib
tests_unit_test_pcaplib_SOURCES = tests/unit/test_pcaplib.c tests/unit/unit.h
tests_unit_test_pcaplib_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_pcaplib_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pcaplib_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_pcaplib

check_PROGRAMS += tests/unit/test_feed
tests_unit_test_feed_SOURCES = tests/unit/test_feed.c tests/unit/unit.h
tests_unit_test_feed_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_feed_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_feed_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_feed

check_PROGRAMS += tests/unit/test_decompress
tests_unit_test_decompress_SOURCES = tests/unit/test_decompress.c tests/unit/unit.h
tests_unit_test_decompress_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_decompress_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_decompress_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_decompress

check_PROGRAMS += tests/unit/test_progress
tests_unit_test_progress_SOURCES = tests/unit/test_progress.c tests/unit/unit.h
tests_unit_test_progress_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_progress_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_progress_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_progress

check_PROGRAMS += tests/unit/test_model
tests_unit_test_model_SOURCES = tests/unit/test_model.c tests/unit/unit.h
tests_unit_test_model_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_model

check_PROGRAMS += tests/unit/test_ui_sort
tests_unit_test_ui_sort_SOURCES = tests/unit/test_ui_sort.c tests/unit/unit.h
tests_unit_test_ui_sort_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_ui_sort_CFLAGS = $(UNIT_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_ui_sort_LDADD = $(UNIT_LDADD) $(NCURSES_LIBS)
TESTS += tests/unit/test_ui_sort

check_PROGRAMS += tests/unit/test_reasm
tests_unit_test_reasm_SOURCES = tests/unit/test_reasm.c tests/unit/unit.h
tests_unit_test_reasm_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_reasm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_reasm_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_reasm
