# The two commands of the README:
#   make          set up what is missing, then build the sample book into dist/
#   make test     set up what is missing, then run the test suite
PY := .venv/bin/python

.PHONY: all setup book test bench clean
all: setup book

setup:
	./scripts/setup.sh

book:
	$(PY) build.py build

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) bench/build_bench.py

clean:
	rm -rf dist .zennbook-cache
