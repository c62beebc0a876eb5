# mmtrend: two commands on a fresh machine (see README.md)
#   make course   re-execute every chapter with papermill on the closet, write results/   (DATA=path for your crawl)
#   make test     nbdev_test over the notebooks (small profile) + pytest over tests/
# and for readers:
#   make docs     the docs site in _docs/, from the chapters the last `make course` executed (offline, seconds)
#   make lab      JupyterLab on nbs/ with the course's virtualenv as its kernel
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?=
PROFILE ?= full
OUT ?=
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
CHROMIUM := /usr/bin/chromium
LAB_PORT ?= 8888
LAB_FLAGS ?=
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(1); \
	else sudo apt-get update -qq && sudo apt-get install -y -qq $(1); fi

.PHONY: course test venv check-clean docs lab browser

# A virtualenv with the package (editable) and every extra the course uses; re-done when settings.ini changes.
$(BIN)/.mmtrend-installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e ".[dev,person,docs,scale]"
	touch $@

# Real garment photos for the closet generator: Debian's dataset-fashion-mnist (the tests regenerate part of the closet).
$(FASHION_MNIST):
	$(call APT_INSTALL,dataset-fashion-mnist)

# Debian's Chromium, for the docs site's browser test (Playwright drives it; its own browser download needs the network).
$(CHROMIUM):
	$(call APT_INSTALL,chromium)
browser: $(CHROMIUM)

# A font with Chinese glyphs (Debian's WenQuanYi Micro Hei): chapter 07 plots the jieba words of Chinese captions.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
$(CJK_FONT):
	$(call APT_INSTALL,fonts-wqy-microhei)

venv: $(BIN)/.mmtrend-installed $(FASHION_MNIST) $(CJK_FONT)

course: venv
	MPLBACKEND=Agg $(BIN)/mmtrend_course --profile $(PROFILE) $(if $(OUT),--out "$(OUT)") $(if $(DATA),--data "$(DATA)") $(if $(LABELS),--labels "$(LABELS)")

# nbdev_test runs each chapter at the small profile (MMTREND_TEST_PROFILE, see nbs/90_course.ipynb) into a scratch folder;
# the full-size checks run in `make course`. One notebook at a time, in chapter order, in this process (--n_workers 0):
# later chapters reuse the features and checkpoints earlier ones cache, and parallel workers on a cold cache compute them
# twice. Measured on a fresh clone with cold caches: ~820 s with 2 workers, ~640 s with 1 worker process, ~330 s in-process.
# nbdev_test itself loads numpy, so chapter 00's pinned numerics go first (the same kernels as `make course`).
# pytest runs on two workers (pytest-xdist): most of its time is whole-course runs on the field crawls, which keep about
# one core busy each. Two side by side can overload the cores past Ray's 30 s start-up: chapter 08 on a crawl says so.
export NBDEV_TEST_PINNED := import mmtrend.data; from nbdev.test import nbdev_test; nbdev_test(n_workers=0, timing=True)
test: venv $(CHROMIUM)
	MMTREND_TEST_PROFILE=small MPLBACKEND=Agg $(BIN)/python -c "$$NBDEV_TEST_PINNED"
	MPLBACKEND=Agg $(BIN)/pytest -q -n 2 --durations=20 tests; rc=$$?; if [ $$rc = 5 ]; then echo "pytest: no tests collected"; elif [ $$rc != 0 ]; then exit $$rc; fi

# Notebooks must be clean and the library exactly what they export.
check-clean: venv
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export
	@if [ -n "$$(git status --porcelain -- nbs mmtrend)" ]; then \
	  echo "nbdev_clean/nbdev_export changed files: commit clean notebooks and the exported library"; \
	  git status --short -- nbs mmtrend; git diff --stat -- nbs mmtrend; exit 1; fi

# The docs site: Sphinx + myst-nb renders the executed chapters in results/executed/ (committed, so a fresh clone can build
# it before any course run); `scripts/check_site.py _docs` then opens every page in headless Chromium.
docs: venv
	$(BIN)/python scripts/build_docs.py --out _docs

# JupyterLab on the chapters, with this virtualenv's Python as the notebooks' python3 kernel.
lab: venv
	$(BIN)/jupyter lab --notebook-dir=nbs --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_FLAGS)
