"""Write a small generated topic-classification set for `make demo` (text_classification): train/dev/test JSON Lines.

The texts are made here from templates (seeded), so nothing of a licensed dataset is bundled. Four topics;
every 8th text is a few sentences long, longer than the demo's 64-sub-token windows, to show windows pooled.

    python -m tokcls.demo_data.make_text_sample OUT_DIR
"""

import json
import random
import sys
from pathlib import Path

TOPICS = {
    "sport": (
        ["the striker", "the home side", "the coach", "the champions", "the goalkeeper"],
        [
            "scored twice in the second half",
            "won the league title",
            "lost the cup final on penalties",
            "signed a new contract",
            "was sent off after a late tackle",
        ],
    ),
    "business": (
        ["the bank", "the retailer", "shareholders", "the central bank", "the car maker"],
        [
            "reported higher quarterly profits",
            "cut interest rates again",
            "announced a merger",
            "warned of falling sales",
            "raised prices across its stores",
        ],
    ),
    "science": (
        ["researchers", "the space agency", "a team of biologists", "the telescope", "astronomers"],
        [
            "discovered a new species of frog",
            "launched a probe to Mars",
            "measured the age of the galaxy",
            "sequenced the genome of wheat",
            "found water ice on the moon",
        ],
    ),
    "music": (
        ["the band", "the singer", "the orchestra", "the rapper", "the festival"],
        [
            "released a new album",
            "sold out the stadium tour",
            "won a Grammy award",
            "cancelled the summer concerts",
            "topped the charts for a month",
        ],
    ),
}
WHEN = ["on Monday", "last week", "this morning", "after months of talks", "for the first time", ""]


def sentence(rng: random.Random, topic: str) -> str:
    subjects, actions = TOPICS[topic]
    return f"{rng.choice(subjects).capitalize()} {rng.choice(actions)} {rng.choice(WHEN)}".strip() + "."


def write(out: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 240), ("dev", 60), ("test", 60)):
        with open(out / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for i in range(n):
                topic = sorted(TOPICS)[i % len(TOPICS)]
                count = 7 if i % 8 == 0 else 1
                f.write(
                    json.dumps({"text": " ".join(sentence(rng, topic) for _ in range(count)), "label": topic}) + "\n"
                )


if __name__ == "__main__":
    write(Path(sys.argv[1]))
