# tests/cli: see Makefile.am
