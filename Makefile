# Two commands on a fresh machine with Python 3.10+:
#   make leaderboard   installs what it needs into .venv, then runs the main job
#   make test          installs what it needs into .venv, then runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: leaderboard test lint install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The real-page track (the headline table) needs a copy of the 88 pages; ../shared/realpages
# is that copy on the development machines. Elsewhere: `newslayers real fetch --out DIR`.
REALPAGES ?= ../shared/realpages

leaderboard: $(STAMP)
	@if [ -f "$(REALPAGES)/ground-truth.json" ]; then \
		$(BIN)/newslayers real materialize --pages "$(REALPAGES)"; \
	else \
		echo "no copy of the real pages at $(REALPAGES): synthetic track only (see README, Real-page track)"; \
	fi
	$(BIN)/newslayers leaderboard

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; exit 1; fi; \
	exit $$status

clean:
	rm -rf $(VENV) dist .pytest_cache .ruff_cache
