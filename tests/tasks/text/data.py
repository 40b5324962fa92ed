"""Small labelled text sets the text tests write themselves (single-label, pairs, multi-label, regression), in the
sources dataset_convert reads. No real multi-label or sentence-pair set is reachable here (../shared/data README)."""

from __future__ import annotations

import json
import random
from pathlib import Path

TOPICS = {
    "sport": ["goal", "match", "team", "league", "coach"],
    "money": ["bank", "market", "shares", "profit", "tax"],
    "music": ["band", "album", "song", "guitar", "concert"],
}
FILLER = ["the", "a", "today", "new", "said", "after", "with", "big", "local", "week"]


def _text(rng: random.Random, topics: list[str], length: int) -> str:
    words = [rng.choice(TOPICS[t]) for t in topics for _ in range(2)] + [rng.choice(FILLER) for _ in range(length)]
    rng.shuffle(words)
    return " ".join(words)


def write_source(
    directory: Path, kind: str, n_train: int = 90, n_dev: int = 30, seed: int = 0, long_every: int = 0
) -> Path:
    """train/dev sources of `kind`: single (TSV with header), pairs (CSV), multi (JSON Lines of label lists),
    regression (TSV). `long_every`: every n-th text is made longer than a 64-sub-token window."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    names = sorted(TOPICS)
    for split, n in (("train", n_train), ("dev", n_dev)):
        rows = []
        for i in range(n):
            length = 120 if long_every and i % long_every == 0 else rng.randint(2, 8)
            if kind == "multi":
                chosen = sorted(rng.sample(names, rng.randint(0, 2)))
                rows.append({"body": _text(rng, chosen, length), "tags": chosen})
            else:
                topic = names[i % len(names)]
                rows.append((_text(rng, [topic], length), topic, float(names.index(topic)) + rng.random() / 10))
        if kind == "multi":
            (directory / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        elif kind == "single":
            (directory / f"{split}.tsv").write_text(
                "sentence\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab, _ in rows)
            )
        elif kind == "regression":
            (directory / f"{split}.tsv").write_text("sentence\tscore\n" + "".join(f"{t}\t{v}\n" for t, _, v in rows))
        else:  # pairs: the label says whether the second text is on the first one's topic
            lines = ["premise,hypothesis,label"]
            for t, topic, _ in rows:
                same = rng.random() < 0.5
                other = topic if same else rng.choice([n for n in names if n != topic])
                lines.append(f'"{t}","{_text(rng, [other], 3)}",{"same" if same else "different"}')
            (directory / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return directory


CONVERT_OPTIONS = {
    "single": ["text_column=sentence"],
    "pairs": ["text_column=premise", "text_b_column=hypothesis"],
    "multi": ["text_column=body", "label_column=tags", "problem_type=multi_label_classification"],
    "regression": ["text_column=sentence", "label_column=score", "problem_type=regression"],
}
PROBLEM = {
    "single": "single_label_classification",
    "pairs": "single_label_classification",
    "multi": "multi_label_classification",
    "regression": "regression",
}
