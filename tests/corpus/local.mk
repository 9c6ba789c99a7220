# tests/corpus: see Makefile.am
# Every capture of tcpdump's test suite ($SHARED_DIR), text and JSON: no
# crash, hang or sanitizer report, documented exit status and messages.
TESTS += tests/corpus/tcpdump-tests.sh
EXTRA_DIST += tests/corpus/tcpdump-tests.sh
