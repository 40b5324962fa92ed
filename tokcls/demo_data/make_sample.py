"""Rebuild en_brown_pos_sample/ from ../shared/data/en_brown_pos (run from the repository root).

train: the first 400 sentences of train.txt; dev and test: the first 80 sentences of dev.txt and
test.txt whose every tag occurs in the sample's train, so the demo converts without unseen labels.
"""

import sys
from pathlib import Path

source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/en_brown_pos")
target = Path(__file__).parent / "en_brown_pos_sample"


def sentences(path):
    return [block for block in path.read_text(encoding="utf-8").split("\n\n") if block.strip()]


def tags(block):
    return {line.rsplit(" ", 1)[1] for line in block.splitlines()}


train = sentences(source / "train.txt")[:400]
known = set().union(*map(tags, train))
picked = {"train": train}
for split in ("dev", "test"):
    picked[split] = [s for s in sentences(source / f"{split}.txt") if tags(s) <= known][:80]
for split, blocks in picked.items():
    (target / f"{split}.txt").write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    print(split, len(blocks), "sentences", sum(len(b.splitlines()) for b in blocks), "tokens")
