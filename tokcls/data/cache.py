"""Tokenized features cached on disk, under a name derived from everything that shapes them.

The key hashes the input files' bytes, the tokenizer (vocabulary, normalizer, special tokens), the
label map and the window settings, so a changed file or setting never reuses a stale cache.
Files are safetensors (plain arrays, no pickle), written under a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save

from tokcls.core.atomic import atomic_files
from tokcls.core.input_files import open_regular
from tokcls.data.windows import Features, WindowSettings

log = logging.getLogger("tokcls")
FORMAT_VERSION = "1"


def cache_key(
    files: list[Path], tokenizer, labels: list[str] | None, settings: WindowSettings, num_samples: int
) -> str:
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for path in files:
        with open_regular(path, "data file", "check data_dir and the split's file keys") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    digest.update(tokenizer.backend_tokenizer.to_str().encode())
    digest.update(json.dumps([labels, asdict(settings), num_samples, tokenizer.all_special_ids]).encode())
    return digest.hexdigest()[:20]


def load(path: Path) -> tuple[Features, dict] | None:
    if not path.exists():
        return None
    try:
        arrays = load_file(str(path))
    except Exception as e:  # a damaged cache is only a cache: rebuild it
        log.warning("ignoring unreadable feature cache %s (%s)", path, e)
        return None
    features = Features(
        arrays["input_ids"],
        arrays["labels"],
        arrays["word_index"],
        arrays["offsets"],
        arrays["example"],
        targets=arrays.get("targets"),
        items={
            name[5:]: values for name, values in arrays.items() if name.startswith("item_") and name != "item_offsets"
        },
        item_offsets=arrays.get("item_offsets"),
        word_shape=arrays.get("word_shape"),
    )
    info = {"sentence_lengths": arrays["sentence_lengths"].tolist(), "windowed_sentences": int(arrays["windowed"][0])}
    return features, info


def store(path: Path, features: Features, info: dict, fallback_dir: Path | None = None) -> Path | None:
    arrays = features.arrays()
    arrays["sentence_lengths"] = np.asarray(info["sentence_lengths"], dtype=np.int64)
    arrays["windowed"] = np.asarray([info["windowed_sentences"]], dtype=np.int64)
    data = save(arrays)
    for directory in (path.parent, fallback_dir):
        if directory is None:
            continue
        try:
            with atomic_files(directory) as out, out.open(path.name, "wb") as f:
                f.write(data)
            if directory != path.parent:
                log.warning("data directory %s is not writable: feature cache written to %s", path.parent, directory)
            return Path(directory) / path.name
        except OSError:
            continue
    log.warning("feature cache not written (no writable directory); features will be recomputed next time")
    return None
