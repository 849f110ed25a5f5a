# `make run` and `make test` set everything up on a fresh machine (a virtual environment in .venv) first.
VENV ?= .venv
PYTHON ?= python3
# The CPU build by default; for CUDA, e.g. `make TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"`.
TORCH ?= torch==2.13.0
PY := $(VENV)/bin/python
CONFIG ?= configs/default.yaml
INPUT ?= examples/hindi_news.jsonl

.PHONY: setup run test tiny-models tiny-run clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)  # first, so the project's torch requirement is already met
	$(PY) -m pip install --quiet -e ".[test,fast,ray]"
	touch $@

setup: $(VENV)/.installed

run: setup  ## translate and summarize examples/ with configs/default.yaml (downloads the models once)
	$(PY) scripts/run.py --config $(CONFIG) --input $(INPUT)

test: setup  ## the whole test suite, offline
	$(PY) -m pytest -q

# Built once: again only when the environment, the builder or a config (its overlay) changes.
.tiny-models/.built: $(VENV)/.installed pipeline/tiny_models.py scripts/make_tiny_models.py $(wildcard configs/*.yaml)
	$(PY) scripts/make_tiny_models.py .tiny-models
	touch $@

tiny-models: .tiny-models/.built

# `make tiny-run CONFIG=configs/X.yaml` runs that config through its overlay; without CONFIG, configs/tiny.yaml.
TINY_CONFIG = $(if $(filter command line environment,$(origin CONFIG)),$(CONFIG),configs/tiny.yaml)

tiny-run: tiny-models  ## the full pipeline offline with tiny random-weight models (meaningless text)
	$(PY) scripts/run.py --config $(TINY_CONFIG) --overlay .tiny-models/overlays/$(notdir $(TINY_CONFIG)) --input $(INPUT)

clean:
	rm -rf $(VENV) .tiny-models .pytest_cache
