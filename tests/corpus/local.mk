# tests/corpus: see Makefile.am
