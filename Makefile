# Two commands for readers: `make book` builds the HTML book, `make test` runs the tests.
# Both create .venv and install the pinned requirements first when needed; `make test` (and
# `make pdf`) also install Debian's chromium, which the browser tests and the PDF use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The environment is stamped with the hash of everything that defines it, so a no-change
# `make book` installs nothing and a changed pin reinstalls.
ENV_HASH := $(shell cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
ENV_STAMP := $(VENV)/.installed-$(ENV_HASH)

# Debian's chromium drives the browser tests and prints the PDF (never Playwright's download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# JupyterLab, an extra: installed into .venv by `make lab` only, with its own stamp.
LAB_HASH := $(shell cat requirements-lab.txt constraints.txt | sha256sum | cut -c1-16)
LAB_STAMP := $(VENV)/.lab-$(LAB_HASH)
# Double-clicking a chapter opens it as a notebook (jupytext's viewer), not as text; JupyterLab
# does not ask to fetch news or look for updates, as the book needs no network.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: book test pdf brief bench figures validate serve lab clean

book: $(ENV_STAMP)
	$(PY) -m nkreport.build

test: $(ENV_STAMP) $(CHROMIUM)
	$(PY) -m pytest

pdf: $(ENV_STAMP) $(CHROMIUM)
	$(PY) -m nkreport.build.pdf

# A brief of at most four A4 pages (bottom line, key judgments, key figures, headline charts, how to
# cite), generated from the ledger by the book's code: _build/pdf/brief.pdf.
brief: $(ENV_STAMP) $(CHROMIUM)
	$(PY) -m nkreport.build.brief

# Times clean, render-only, no-change, prose-edit and data-edit builds; writes BENCHMARK.md.
bench: $(ENV_STAMP)
	$(PY) -m nkreport.build.bench

# A live preview on http://127.0.0.1:8000/: rebuilds (as strictly as `make book`) on every save.
serve: $(ENV_STAMP)
	$(PY) -m nkreport.build.serve

figures: $(ENV_STAMP)
	$(PY) -m nkreport.build.figures

validate: $(ENV_STAMP)
	$(PY) -m nkreport.data.validate

# The chapters as notebooks in JupyterLab: run one top to bottom to see its charts, figures and
# tables; a chapter saved there stays the same MyST Markdown file (jupytext.toml). Checkpoints are
# kept in _build/, not beside the chapters, where the build would count them as sources.
lab: $(ENV_STAMP) $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" --FileCheckpoints.checkpoint_dir="$(CURDIR)/_build/.lab-checkpoints" \
	  $(if $(SUDO),,--allow-root) chapters/overview.md

$(LAB_STAMP): requirements-lab.txt constraints.txt | $(ENV_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt -c constraints.txt
	mkdir -p $(dir $(LAB_SETTINGS))
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook"}},' \
	  '"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_SETTINGS)
	rm -f $(VENV)/.lab-*
	touch $@

$(ENV_STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-liberation poppler-utils

clean:
	rm -rf _build
