# tests/golden: see Makefile.am.  The text and JSON reports of every sample
# capture in captures/ are pinned in tests/golden/expected/ (reviewed, not
# blindly regenerated: see its README); golden.sh diffs tcpfsm's output
# against them.  tests/golden/golden.sh --update rewrites them for review.
TESTS += tests/golden/golden.sh
EXTRA_DIST += tests/golden/golden.sh tests/golden/expected
