# tests/anomalies: see Makefile.am and tests/anomalies/README.
# Every anomaly id on captures crafted byte by byte at test time
# (tests/anomalies/craft.py, python3 standard library): reported, blamed on
# the right endpoint, with the right evidence packets, and not reported
# where it should not be; service-level anomalies and -w --select; the same
# output on every run.  The real-kernel counterparts are
# tests/kernel/anomalies-*.sh (tests/kernel/local.mk).
ANOMALY_TESTS = \
	tests/anomalies/handshake.sh \
	tests/anomalies/established.sh \
	tests/anomalies/teardown.sh \
	tests/anomalies/service.sh \
	tests/anomalies/determinism.sh

TESTS += $(ANOMALY_TESTS)
EXTRA_DIST += $(ANOMALY_TESTS) \
	tests/anomalies/README \
	tests/anomalies/common.sh \
	tests/anomalies/anq.py \
	tests/anomalies/craft.py
