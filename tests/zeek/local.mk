# tests/zeek: tcpfsm --format zeek against Zeek's own conn.log baselines
# ($(SHARED_DIR)/captures/zeek).  See zeek-cases.sh.
TESTS += tests/zeek/zeek-cases.sh tests/zeek/zeek-corpus.sh tests/zeek/fragments.sh
EXTRA_DIST += tests/zeek/zeek-cases.sh tests/zeek/zeek-corpus.sh tests/zeek/fragments.sh tests/zeek/known-differences.tsv
