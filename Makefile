# Two commands for readers: `make book` builds the HTML book, `make test` runs the tests.
# Both create .venv and install the pinned requirements first when needed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The environment is stamped with the hash of everything that defines it, so a no-change
# `make book` installs nothing and a changed pin reinstalls.
ENV_HASH := $(shell cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
ENV_STAMP := $(VENV)/.installed-$(ENV_HASH)

.PHONY: book test figures validate clean

book: $(ENV_STAMP)
	$(PY) -m nkreport.build

test: $(ENV_STAMP)
	$(PY) -m pytest

figures: $(ENV_STAMP)
	$(PY) -m nkreport.figures

validate: $(ENV_STAMP)
	$(PY) -m nkreport.validate

$(ENV_STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf _build
