# selecta — the commands people run. One release profile for everything: DuckDB's C++ is
# compiled once per machine into $(CARGO_TARGET_DIR) (set it to a folder outside the clone,
# e.g. $$HOME/.cache/selecta-target, to keep it across clones; default: target/).
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
CONFIG ?= selecta.toml
BENCH_FILES ?= 6
BIN := $(CARGO_TARGET_DIR)/release/selecta

.PHONY: all build warehouse sample-audio test test-all test-browser fuzz bench bench-analysis tag-model tag-reference report-png clean-warehouse

all: warehouse

## build: compile the release binary (cold: ~45 min for DuckDB; then seconds)
build:
	cargo build --release --locked

## warehouse: run the whole job on $(CONFIG) (default: the sample collection in data/sample,
##   with the sample audio library rendered into out/sample-audio by python3's standard library)
warehouse: build sample-audio
	$(BIN) --config $(CONFIG) build

## sample-audio: render data/sample's audio files (never committed) into out/sample-audio
sample-audio: out/sample-audio/.done

out/sample-audio/.done: data/sample/generate_audio.py
	rm -rf out/sample-audio
	python3 data/sample/generate_audio.py out/sample-audio
	touch $@

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

## bench: the whole job's wall time on the original data (plus the stage benchmarks), and
##   the audio analysis beside Essentia and librosa (bench-analysis)
bench: build
	cargo bench --locked
	$(MAKE) bench-analysis

## bench-analysis: tracks/s/core on 3-minute files, selecta vs Essentia's extractors and
##   librosa in their own venv (AGPL Essentia only there, never linked), with agreement figures
BENCH_VENV ?= $(HOME)/.cache/selecta-bench-venv-analysis
bench-analysis: build
	test -x $(BENCH_VENV)/bin/python || (python3 -m venv $(BENCH_VENV) && $(BENCH_VENV)/bin/pip install -q essentia librosa)
	$(BENCH_VENV)/bin/python benches/analysis_vs_essentia.py $(BIN) $(BENCH_FILES)

## tag-model: musicnn's MTT tagger as ONNX, for the analysis.tags step: the musicnn 0.1.0
##   wheel (ISC) from PyPI, converted by models/musicnn_onnx.py in a venv with onnx and numpy
##   (no TensorFlow); never committed. Default place: $(TAG_MODEL)
TAG_MODEL ?= $(HOME)/.cache/selecta/models/musicnn-mtt.onnx
TAG_VENV ?= $(HOME)/.cache/selecta-venv-tag-model
tag-model: $(TAG_MODEL)

$(TAG_MODEL): models/musicnn_onnx.py
	test -x $(TAG_VENV)/bin/python || (python3 -m venv $(TAG_VENV) && $(TAG_VENV)/bin/pip install -q onnx numpy)
	rm -rf $(TAG_VENV)/wheel
	$(TAG_VENV)/bin/pip download -q --no-deps musicnn==0.1.0 -d $(TAG_VENV)/wheel
	$(TAG_VENV)/bin/python -m zipfile -e $(TAG_VENV)/wheel/musicnn-0.1.0-py3-none-any.whl $(TAG_VENV)/wheel
	$(TAG_VENV)/bin/python models/musicnn_onnx.py $(TAG_VENV)/wheel $@

## tag-reference: the tag tests' audio (models/render_tag_fixtures.py: fluidsynth, espeak-ng,
##   sox) and musicnn's own Python tags of it (TensorFlow, in its own venv), in $(TAG_REFERENCE);
##   the tests that need them are ignored by `make test` and run by `make test-all`
TAG_REFERENCE ?= $(HOME)/.cache/selecta/models/musicnn-reference
TAG_REF_VENV ?= $(HOME)/.cache/selecta-venv-musicnn
tag-reference: $(TAG_REFERENCE)/reference.jsonl

$(TAG_REFERENCE)/reference.jsonl: models/render_tag_fixtures.py models/musicnn_reference.py
	test -x $(TAG_REF_VENV)/bin/python || (python3 -m venv $(TAG_REF_VENV) && $(TAG_REF_VENV)/bin/pip install -q tensorflow-cpu tf_keras librosa && $(TAG_REF_VENV)/bin/pip install -q --no-deps musicnn==0.1.0)
	python3 models/render_tag_fixtures.py $(TAG_REFERENCE)
	$(TAG_REF_VENV)/bin/python models/musicnn_reference.py $(TAG_REFERENCE)/bed.wav $(TAG_REFERENCE)/voice.wav > $@.tmp
	mv $@.tmp $@

## report-png: the HTML report of $(CONFIG) rendered by headless Chromium (Debian's chromium)
##   e.g. make report-png CONFIG=examples/original_run.toml
report-png: warehouse
	$(BIN) --config $(CONFIG) report --out out/report.html
	scripts/report-png.sh out/report.html out/report.png

## clean-warehouse: remove built warehouses (never the compiled DuckDB)
clean-warehouse:
	rm -rf out
