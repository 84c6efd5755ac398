# The two commands of the README, and what CI runs. Each target sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint setup bench docs

$(BIN)/kg: pyproject.toml
	@echo "Creating the Python environment in $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@echo "Installing kg and its dependencies (about a minute the first time)"
	@PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,speedups]'
	@touch $(BIN)/kg

# The report's graph-drawing library, pinned in web/package-lock.json, installed from npm and
# copied into the package (git-ignored): the HTML report inlines it and so works offline.
REPORT_ASSET := kg/report/assets/cytoscape.min.js

$(REPORT_ASSET): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed to build the report (apt-get install nodejs npm)"; exit 1; }
	@echo "Installing the report's graph library from npm"
	@npm ci --prefix web --no-audit --no-fund --loglevel=error --silent
	@mkdir -p $(dir $@)
	@cp web/node_modules/cytoscape/dist/cytoscape.min.js $@

setup: $(BIN)/kg $(REPORT_ASSET)
	@command -v java >/dev/null || { echo "Java 17 is needed (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed (apt-get install maven)"; exit 1; }

## The main job: start Neo4j, load the demo organization, show coverage and attack paths.
demo: setup
	$(BIN)/kg demo

## The tests: unit, integration (real Neo4j) and end to end (the CLI).
test: setup
	@command -v chromium >/dev/null || { echo "Chromium is needed for the report's browser test (apt-get install chromium)"; exit 1; }
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

docs: setup
	$(BIN)/kg schema show --format markdown > docs/model.md
	$(BIN)/kg schema show --grass > docs/browser/kg.grass
	$(BIN)/kg query --docs > docs/queries.md
	$(BIN)/kg query --browser-docs > docs/browser.md
	$(BIN)/kg query --browser-favorites docs/browser/kg-favorites.zip
	$(BIN)/python -m kg.analysis.privesc_techniques > docs/privesc.md

bench: setup
	$(BIN)/python -m bench.run
