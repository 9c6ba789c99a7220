# tests/kernel: the real-kernel ground truth.  Each script builds its own
# client - router - server network namespaces, drives real sockets into a
# situation, captures on the router and checks every endpoint's state from
# tcpfsm against what ss reports inside that endpoint's namespace.  Needs
# root (skipped otherwise) and iproute2, nftables, tcpdump and python3
# (fails if one is missing).  See tests/kernel/README.  anomalies-*.sh
# drive the same harness into every anomaly tcpfsm can see from a real
# kernel and check the reports (see tests/anomalies/README).
KERNEL_TESTS = \
	tests/kernel/close.sh \
	tests/kernel/loss.sh \
	tests/kernel/reset.sh \
	tests/kernel/fastopen.sh \
	tests/kernel/fragments.sh \
	tests/kernel/reuse.sh \
	tests/kernel/many.sh \
	tests/kernel/anomalies-handshake.sh \
	tests/kernel/anomalies-established.sh \
	tests/kernel/anomalies-teardown.sh \
	tests/kernel/any-dedupe.sh \
	tests/kernel/icmp.sh \
	tests/kernel/giveup.sh \
	tests/kernel/selfconnect.sh \
	tests/kernel/request.sh

TESTS += $(KERNEL_TESTS)
EXTRA_DIST += $(KERNEL_TESTS) \
	tests/kernel/README \
	tests/kernel/harness.sh \
	tests/kernel/agent.py \
	tests/kernel/judge.py \
	tests/kernel/rawtcp.py \
	tests/kernel/make-captures.sh
