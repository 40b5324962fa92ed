"""Every real dataset in ../shared/data converts with the counts its README states."""

import pytest

from conversion.dataset import ConvertOptions, convert
from conversion.errors import ConversionError

# (sentences, words) per split, from ../shared/data/README.md
EXPECTED = {
    "conll2003_en": {"train": (14_041, 203_621), "dev": (3_250, 51_362)},
    "ja_hironsan_ner": {"train": (400, 12_580), "dev": (50, 1_776), "test": (50, 1_164)},
    "tr_twt_pos": {"train": (3_922, 65_443), "dev": (462, 8_065), "test": (467, 7_862)},
    "en_brown_pos": {"train": (46_175, 929_728), "dev": (5_523, 115_661), "test": (5_642, 115_803)},
}
SCHEME = {"conll2003_en": "iob2", "ja_hironsan_ner": "iob2", "tr_twt_pos": "plain", "en_brown_pos": "plain"}


@pytest.mark.parametrize("name", EXPECTED)
def test_shared_dataset_converts_with_readme_counts(shared_data, tmp_path, name):
    stats = convert(
        ConvertOptions(
            source_data_dir=str(shared_data / name),
            target_data_dir=str(tmp_path),
            allow_unseen_labels=name == "en_brown_pos",
        )
    )
    counts = {split: (s["sentences"], s["words"]) for split, s in stats["splits"].items()}
    assert counts == EXPECTED[name]
    assert stats["scheme"]["detected"] == SCHEME[name]
    for split, (sentences, words) in EXPECTED[name].items():
        lines = (tmp_path / f"text_{split}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == sentences and sum(len(line.split(" ")) for line in lines) == words


def test_conll_documents_and_entities(shared_data, tmp_path):
    stats = convert(ConvertOptions(source_data_dir=str(shared_data / "conll2003_en"), target_data_dir=str(tmp_path)))
    assert stats["splits"]["train"]["documents"] == 946 and stats["splits"]["dev"]["documents"] == 216
    assert stats["labels"] == ["O", "B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER"]
    # Entity spans per type (README): each B- starts one span in this IOB2 data.
    labels = stats["splits"]["train"]["labels"]
    assert {t: labels[f"B-{t}"]["count"] for t in ("PER", "LOC", "ORG", "MISC")} == {
        "PER": 6_600,
        "LOC": 7_140,
        "ORG": 6_321,
        "MISC": 3_438,
    }


def test_ja_annotation_slips_are_counted_and_repaired(shared_data, tmp_path):
    stats = convert(ConvertOptions(source_data_dir=str(shared_data / "ja_hironsan_ner"), target_data_dir=str(tmp_path)))
    assert stats["splits"]["train"]["invalid_transitions"] == 2  # the README's two stray I- tags
    assert stats["splits"]["train"]["tags_changed"] == 2
    assert len(stats["labels"]) == 17


def test_brown_unseen_labels_are_listed_without_the_option(shared_data, tmp_path):
    with pytest.raises(ConversionError) as info:
        convert(
            ConvertOptions(source_data_dir=str(shared_data / "en_brown_pos"), target_data_dir=str(tmp_path / "out"))
        )
    message = str(info.value)
    assert "29 label(s) occur in dev/test but never in train" in message  # 18 in dev, 12 in test, 1 shared
    for label in ("'fw-uh-tl'", "'wrb+md'", "'rp-tl'"):
        assert label in message
    assert "allow_unseen_labels=true" in message
    assert not (tmp_path / "out").exists()
