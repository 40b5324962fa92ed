"""tokcls from Python: load an archive once, label texts from code.

    import tokcls

    model = tokcls.load("results/train/checkpoints/tokcls.tcls")
    model.predict("Angela Merkel visited Paris .")  # one record, the fields of infer's JSON Lines
    model.predict(["first text", "second text"])  # a list of records
    model.predict([["EU", "rejects", "German", "call"]])  # pre-split words

A record holds what `infer` writes for the text, from the same code: token models give words, labels, character
offsets, confidences and entity spans; span models words, offsets and entities (nested ones too); text models the
label (or labels, or value) and every class's probability. Importing this module loads neither Lightning nor Hydra;
torch and transformers are loaded by `load`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEVICES = {"cpu": ("cpu", 1), "cuda": ("gpu", 1), "gpu": ("gpu", 1), "auto": ("auto", 1)}


class Model:
    """A loaded archive: `predict`, `labels`, `task`, `program`, `describe()`. Pickling it ships only the archive's
    path and the options: a worker (Ray, Spark, multiprocessing) loads the archive again from that path."""

    def __init__(
        self,
        path: str | Path,
        key: str | None = None,
        *,
        runtime: str = "pytorch",
        onnx_file: str | None = None,
        quantize: str = "none",
        device: str = "cpu",
        batch_size: int = 64,
        overrides: dict[str, Any] | None = None,
    ):
        self._options: dict[str, Any] = dict(
            key=key,
            runtime=runtime,
            onnx_file=onnx_file,
            quantize=quantize,
            device=device,
            batch_size=batch_size,
            overrides=dict(overrides or {}),
        )
        self.path = str(path)
        self._open()

    def _open(self) -> None:
        from tokcls.inference.runtime import open_predictor

        options = self._options
        self._set(open_predictor(self.path, options["key"], inference_config(options), options["batch_size"]))
        check_overrides(options["overrides"], self.predictor.task)

    def _set(self, predictor) -> None:
        from tokcls.tasks import program_of

        self.predictor = predictor
        self.task: str = self.predictor.model.task
        self.program: str = program_of(self.task)
        self.labels: list[str] = list(self.predictor.model.labels)
        self._description: dict | None = None

    @classmethod
    def from_spec(cls, path: str, key: str | None, config, program: tuple[str, str] | None = None) -> Model:
        """The model a serve spec sets up (its runtime, onnx_file, quantize, trainer and model sections); `program`:
        (program, command) whose task the archive must be."""
        from tokcls.inference.runtime import open_predictor

        model = cls.__new__(cls)
        model.path, model._options = str(path), {"key": key, "spec": config}
        model._set(open_predictor(model.path, key, config, config.batch_size, program))
        return model

    def __reduce__(self):
        options = dict(self._options)
        return (_rebuild, (self.path, options))

    def predict(self, texts: str | list[str] | list[list[str]]) -> dict | list[dict]:
        """Records of `texts`: one raw string (one record back), a list of raw strings, or a list of pre-split
        sentences (lists of words; offsets then index the words joined by single spaces). Raw strings are split into
        words as infer splits them (tokcls/core/word_split.py); windows, batching and decoding are infer's."""
        from tokcls.core.word_split import Word

        if isinstance(texts, str):
            return self.predict([texts])[0]
        if not isinstance(texts, (list, tuple)):
            raise TypeError(f"predict takes a string or a list of them, not {type(texts).__name__}")
        if all(isinstance(text, str) for text in texts):
            return self.predictor.task.records(self.predictor, list(texts), None)
        if not all(isinstance(ws, (list, tuple)) and all(isinstance(w, str) for w in ws) for ws in texts):
            raise TypeError("predict takes a list of strings, or a list of word lists (lists of strings), not a mix")
        joined, words = [], []
        for given in texts:
            text, found, at = "", [], 0
            for word in given:
                if not word or any(c.isspace() for c in word):
                    raise ValueError(f"a pre-split word must be non-empty and hold no whitespace: {word!r}")
                found.append(Word(word, at, at + len(word)))
                at += len(word) + 1
            text = " ".join(given)
            joined.append(text)
            words.append(found)
        return self.predictor.task.records(self.predictor, joined, words)

    def describe(self) -> dict:
        """task, program, labels, encoder, decoder (the head's settings), window settings, runtime and the archive's
        path and SHA-256 (read once, on the first call)."""
        if self._description is None:
            from tokcls.model.archive_files import sha256_file

            trained = self.predictor.trained
            spec = self._options.get("spec") or {}
            model = self.predictor.model
            description = model.describe()
            self._description = {
                "task": self.task,
                "program": self.program,
                "labels": self.labels,
                "encoder": str(trained.model.language_model.pretrained_model_name) if trained is not None else None,
                "head": description.get("head", {}),
                "max_seq_length": self.predictor.settings.max_seq_length,
                "stride": self.predictor.settings.stride,
                "runtime": _value(self._options.get("runtime", spec.get("runtime"))),
                "quantize": _value(self._options.get("quantize", spec.get("quantize"))),
                "archive": self.path,
                "archive_sha256": sha256_file(Path(self.path)),
            }
        return dict(self._description)

    def __repr__(self) -> str:
        return f"tokcls.Model({self.path!r}, task={self.task!r}, labels={len(self.labels)})"


def load(path: str | Path, key: str | None = None, **options: Any) -> Model:
    """Load an archive (train's tokcls.tcls, or an exported copy) once. Options: runtime ("pytorch" or "onnx"),
    onnx_file (export's model.onnx, for runtime="onnx"), quantize ("none" or "int8"), device ("cpu", "cuda",
    "auto"), batch_size (windows per batch), overrides (infer spec keys by dotted path, e.g.
    {"model.head.decoder": "constrained"}, {"model.span.decoder": "nested"}, {"model.dataset.stride": 32})."""
    return Model(path, key, **options)


DATASET_KEYS = ("model.dataset.max_seq_length", "model.dataset.stride", "model.dataset.context")


def inference_config(options: dict):
    """The infer spec keys the Predictor's set-up reads, as infer's defaults give them (null: the archive's), with
    `overrides` applied; which overrides the model's task takes is checked once it is known (check_overrides)."""
    from omegaconf import OmegaConf

    device = str(options["device"])
    if device not in DEVICES:
        raise ValueError(f"device={device!r}: use one of {', '.join(DEVICES)}")
    accelerator, devices = DEVICES[device]
    config = OmegaConf.create(
        {
            "runtime": options["runtime"],
            "onnx_file": options["onnx_file"],
            "quantize": options["quantize"],
            "trainer": {"accelerator": accelerator, "devices": devices},
            "model": {"dataset": {key.rsplit(".", 1)[1]: None for key in DATASET_KEYS}},
        }
    )
    for dotted, value in options["overrides"].items():
        if not str(dotted).startswith("model."):
            raise KeyError(f"override {dotted!r}: overrides are infer's model keys (model.dataset..., model.<decoder>)")
        OmegaConf.update(config, dotted, value, force_add=True)
    return config


def check_overrides(overrides: dict, task) -> None:
    """Every override is a key the model's task reads (a misspelled key would otherwise be ignored)."""
    known = DATASET_KEYS + tuple(task.inference_keys)
    for dotted in overrides:
        if dotted not in known:
            raise KeyError(
                f"override {dotted!r} is not an infer key of a {task.name} model; it takes: {', '.join(known)}"
            )


def _value(option):
    return getattr(option, "value", option)


def _rebuild(path: str, options: dict) -> Model:
    key = options.pop("key")
    if "spec" in options:
        return Model.from_spec(path, key, options["spec"])
    return Model(path, key, **options)
