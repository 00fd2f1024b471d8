# Two commands matter: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test test-fast bench lint browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build on this machine's disk; any other pulls CUDA
	$(PY) -m pip install -q torch==2.13.0
	# distributed: Ray, for matcher index --backend ray and its test (leaves torch as it is)
	$(PY) -m pip install -q -e '.[dev,distributed]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/matcher validate datasets/sample/creators.jsonl
	$(VENV)/bin/matcher validate datasets/sample/briefs.jsonl
	$(VENV)/bin/matcher index --creators datasets/sample/creators.jsonl --out out/sample-index
	$(VENV)/bin/matcher match --index out/sample-index --brief datasets/sample/briefs.jsonl --k 5

# Chromium for the browser test: Debian's package; skipped (with a visible reason) if it cannot be installed
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "make: could not install chromium; the browser test will be skipped"; \
	  else echo "make: not root, cannot apt-get install chromium; the browser test will be skipped"; fi; }

test: setup browser-deps
	$(VENV)/bin/pytest

test-fast: setup
	$(VENV)/bin/pytest -m "not integration and not browser"

bench: setup
	$(PY) bench/index_throughput.py
	$(PY) bench/match_latency.py
	$(PY) bench/text_latency.py

lint: setup
	$(VENV)/bin/ruff check matcher tests bench tools
	$(VENV)/bin/ruff format --check matcher tests bench tools
	$(VENV)/bin/mypy matcher

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
