# The course's two commands: `make book` and `make test`. Each installs what it needs
# into .venv (created when missing, reused when present).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# Machines without an NVIDIA driver (CI included) pin torch (constraints/cpu.txt) and add PyTorch's CPU wheel
# index when it answers within seconds (constraints/torch-cpu-index.sh), where the pin resolves to the CPU
# build. Where that index cannot be reached, pip resolves the pin from its configured indexes: the CPU build
# only where a local mirror holds one (this course's CI image), else PyPI's CUDA build. A machine with
# nvidia-smi gets PyPI's default (CUDA) build. Override with `make install TORCH_CONSTRAINTS=` (no pin),
# `TORCH_INDEX=` (no extra index) or values of your own.
ifeq ($(shell command -v nvidia-smi 2>/dev/null),)
TORCH_CONSTRAINTS ?= constraints/cpu.txt
TORCH_INDEX ?= $$(PYTHON=$(PYTHON) bash constraints/torch-cpu-index.sh)
endif
PIP_CONSTRAINTS := $(if $(TORCH_CONSTRAINTS),-c $(TORCH_CONSTRAINTS),)

MATHJAX_DIR := book/_mathjax/mathjax

.PHONY: install book test test-fast lab bench clean mathjax

install: $(STAMP)

$(STAMP): pyproject.toml $(TORCH_CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PIP_CONSTRAINTS) $(TORCH_INDEX) -e '.[book,test,gpu]'
	@touch $@

# MathJax 3 served from the site itself (no CDN): copied out of the
# django-static-mathjax wheel. Not under a folder named _static on purpose.
$(MATHJAX_DIR)/tex-chtml.js: $(STAMP)
	@rm -rf $(MATHJAX_DIR) && mkdir -p $(dir $(MATHJAX_DIR))
	@cp -r "$$($(PY) -c 'import mathjax, pathlib; print(pathlib.Path(mathjax.__file__).parent / "static/mathjax/es5")')" $(MATHJAX_DIR)
	@echo "MathJax copied into $(MATHJAX_DIR)"

mathjax: $(MATHJAX_DIR)/tex-chtml.js

# jupyter-cache re-executes a notebook only when its own code changes. The chapters also print what ffn_lib
# computes and what results/ records, so a change there empties the cache: every number is recomputed.
book: $(STAMP) mathjax
	@inputs=$$(find ffn_lib results -type f -not -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort \
		| xargs cat | sha256sum | cut -c1-16); \
	if [ -d _build/.jupyter_cache ] && [ "$$(cat _build/.book-inputs 2>/dev/null)" != "$$inputs" ]; then \
		echo "ffn_lib/ or results/ changed since the last build: every notebook is executed afresh"; \
		rm -rf _build/.jupyter_cache _build/.jupyter_cache_zh; fi; \
	mkdir -p _build && echo "$$inputs" > _build/.book-inputs
	@$(PY) scripts/book_config.py zh _build/config/_config.zh.yml
	@# The two editions build one after the other, English into _build/html, then 简体中文 into _build/html/zh:
	@# the chapters time code on this machine's CPU, and an edition executing on the other core would put its
	@# load into every timing (a review found a false "0.60×" between two equal-FLOP blocks built that way).
	@export FFN_LIB_BOOK=1 FFN_LIB_PROGRESS=off MPLBACKEND=module://matplotlib_inline.backend_inline; \
	FFN_LIB_LANG=en $(VENV)/bin/jupyter-book build . --all --builder html -W --keep-going; en=$$?; \
	FFN_LIB_LANG=zh $(VENV)/bin/jupyter-book build . --all --builder html -W --keep-going \
		--config _build/config/_config.zh.yml --toc _build/config/_toc.zh.yml --path-output _build/zh \
		> _build/zh.log 2>&1; zhs=$$?; \
	if [ $$zhs -ne 0 ]; then echo "The 简体中文 edition failed to build (_build/zh.log):"; tail -40 _build/zh.log; fi; \
	test $$en -eq 0 -a $$zhs -eq 0
	@rm -rf _build/html/zh && cp -a _build/zh/_build/html _build/html/zh
	@echo
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html (简体中文: _build/html/zh/index.html)"

# Every core at once (pytest-xdist), then the tests that measure time (marked serial) alone, on a quiet machine.
test: $(STAMP) book
	FFN_LIB_REQUIRE_BOOK=1 $(PY) -m pytest -n auto -m "not serial" --cov=ffn_lib --cov-report=
	FFN_LIB_REQUIRE_BOOK=1 $(PY) -m pytest -m serial --cov=ffn_lib --cov-append --cov-report=term-missing:skip-covered

# The library's tests alone (no book build, no browser): seconds.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not book and not browser" --cov=ffn_lib --cov-report=term-missing:skip-covered

# JupyterLab refuses to start as root ("Use --allow-root to bypass"); Docker and most cloud
# notebooks run as root, so pass the flag there and only there.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) notebooks/

bench: $(STAMP)
	$(PY) -m ffn_lib.bench --out bench-out

clean:
	rm -rf _build book/_mathjax
