#!/bin/bash
# tests/bench/pagecost.sh - what this machine charges for memory that has
# been free a while: MIB MiB written to a new file right after an equal file
# was removed (its pages freed just before), then again after the freed
# pages sat free for PAUSE seconds.
#
#   tests/bench/pagecost.sh TIMEIT DIR [MIB [PAUSE]]    (default 1024 MiB, 4 s)
#
# Prints "RECYCLED_S COLD_S": the two writes' wall times in seconds.
#
# Why: on a virtual machine whose balloon device reports free memory to the
# host (virtio-balloon's free page reporting: the kernel hands free blocks
# of 2 MiB and up back to the host a couple of seconds after they were
# freed), a page touched again after that costs a trip to the host; on the
# kit's machine writing 1 GiB into the page cache took 0.28 s right after
# another gigabyte was freed and 3.35 s three seconds later
# (docs/performance.md, "Memory the host took back").  A report written to
# a file meets that cost for every page it writes, whatever program writes
# it; this gives the cost at the time of the run, beside the numbers it
# bears on.
set -euo pipefail
timeit=$1 dir=$2 mib=${3:-1024} pause=${4:-4}
f=$dir/pagecost.$$
write() { "$timeit" "$f.t" dd if=/dev/zero of="$1" bs=1M count="$mib" status=none; cut -f1 "$f.t"; }
trap 'rm -f "$f".*' EXIT
write "$f.a" >/dev/null     # pages to free
rm -f "$f.a"
hot=$(write "$f.b")
rm -f "$f.b"
sleep "$pause"
cold=$(write "$f.c")
awk -v h="$hot" -v c="$cold" 'BEGIN { printf "%.3f %.3f\n", h / 1e9, c / 1e9 }'
