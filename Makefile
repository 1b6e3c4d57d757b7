# selecta — the commands people run. One release profile for everything: DuckDB's C++ is
# compiled once per machine into $(CARGO_TARGET_DIR) (set it to a folder outside the clone,
# e.g. $$HOME/.cache/selecta-target, to keep it across clones; default: target/).
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
CONFIG ?= selecta.toml
BIN := $(CARGO_TARGET_DIR)/release/selecta

.PHONY: all build warehouse test test-all test-browser fuzz bench report-png clean-warehouse

all: warehouse

## build: compile the release binary (cold: ~45 min for DuckDB; then seconds)
build:
	cargo build --release --locked

## warehouse: run the whole job on $(CONFIG) (default: the sample collection in data/sample)
warehouse: build
	$(BIN) --config $(CONFIG) build

## test: every unit and integration test, on the same release profile; the ones that need a
##   service this machine may lack (PostgreSQL) are listed as ignored, with the reason
test:
	cargo test --release --locked

## test-all: every test, the ignored ones too (what CI runs, after starting PostgreSQL with
##   eval "$$(scripts/ci-postgres.sh)")
test-all:
	cargo test --release --locked -- --include-ignored

## fuzz: the ingest property (any bytes: an error naming file and line, or every line accounted
##   for) over FUZZ_CASES generated files (default 100 000; `make test` runs 1 000)
FUZZ_CASES ?= 100000
fuzz:
	SELECTA_FUZZ_CASES=$(FUZZ_CASES) cargo test --release --locked --lib ingest::fuzz -- --nocapture

## test-browser: `selecta serve` in a real browser: Debian's chromium (apt-get install chromium)
##   driven by playwright-core from npm; screenshots in out/screenshots/
test-browser: build
	cd tests/browser && npm install --no-audit --no-fund --no-package-lock
	SELECTA_BIN=$(BIN) node --test tests/browser/

## bench: the whole job's wall time on the original data (plus the stage benchmarks)
bench: build
	cargo bench --locked

## report-png: the HTML report of $(CONFIG) rendered by headless Chromium (Debian's chromium)
##   e.g. make report-png CONFIG=examples/original_run.toml
report-png: warehouse
	$(BIN) --config $(CONFIG) report --out out/report.html
	scripts/report-png.sh out/report.html out/report.png

## clean-warehouse: remove built warehouses (never the compiled DuckDB)
clean-warehouse:
	rm -rf out
