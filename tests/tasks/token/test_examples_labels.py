import json

import pytest

from tokcls.core.errors import InputError
from tokcls.data.labels import (
    check_labels_known,
    class_weights,
    format_label_stats,
    read_label_ids,
    training_label_stats,
)
from tokcls.tasks.token.examples import Example, read_examples


def test_examples_pair_words_and_labels(tmp_path):
    (tmp_path / "t.txt").write_text("EU rejects German\n\nPeter  Blackburn\n")
    (tmp_path / "l.txt").write_text("B-ORG O B-MISC\n\nB-PER I-PER\n")
    examples = read_examples(tmp_path / "t.txt", tmp_path / "l.txt")
    assert examples == [
        Example(["EU", "rejects", "German"], ["B-ORG", "O", "B-MISC"]),
        Example([], []),
        Example(["Peter", "Blackburn"], ["B-PER", "I-PER"]),
    ]
    assert len(read_examples(tmp_path / "t.txt", tmp_path / "l.txt", num_samples=1)) == 1
    assert read_examples(tmp_path / "t.txt")[2] == Example(["Peter", "Blackburn"], None)


def test_line_count_mismatch_names_both_files(tmp_path):
    (tmp_path / "t.txt").write_text("a b\nc\n")
    (tmp_path / "l.txt").write_text("O O\n")
    with pytest.raises(InputError) as info:
        read_examples(tmp_path / "t.txt", tmp_path / "l.txt")
    assert "2 lines in" in str(info.value) and "t.txt" in str(info.value) and info.value.path.endswith("l.txt")


def test_word_label_count_mismatch_names_the_line(tmp_path):
    (tmp_path / "t.txt").write_text("a b\nc d e\n")
    (tmp_path / "l.txt").write_text("O O\nO O\n")
    with pytest.raises(InputError) as info:
        read_examples(tmp_path / "t.txt", tmp_path / "l.txt")
    assert info.value.line == 2 and "3 words" in info.value.problem and "t.txt" in info.value.problem


def test_label_ids_errors(tmp_path):
    path = tmp_path / "label_ids.csv"
    path.write_text("O\nB-PER\nO\n")
    with pytest.raises(InputError, match="repeats line 1"):
        read_label_ids(path)
    path.write_text("O\nB-PER\n")
    assert read_label_ids(path) == ["O", "B-PER"]
    with pytest.raises(InputError, match="label file not found"):
        read_label_ids(tmp_path / "nope.csv")


def test_unknown_labels_name_the_line():
    with pytest.raises(InputError) as info:
        check_labels_known([Example(["a"], ["O"]), Example(["b"], ["B-X"])], ["O"], "labels_dev.txt")
    assert info.value.line == 2 and "B-X" in info.value.problem


def test_class_weights_follow_nemo_formula():
    examples = [Example(list("abcd"), ["O", "O", "O", "B-PER"])]
    # total 4 words, 3 classes: O -> 4 / (3 * 3), B-PER -> 4 / (3 * 1), unseen I-PER -> 0
    assert class_weights(examples, ["O", "B-PER", "I-PER"]) == pytest.approx([4 / 9, 4 / 3, 0.0])


def test_label_stats_follow_the_training_labels_used_not_the_file(tmp_path):
    """NeMo's stale-cache bug: weights cached under the labels file's name outlived a change of num_samples."""
    full = [Example(list("abcd"), ["O", "O", "O", "B-PER"]), Example(list("ab"), ["B-PER", "B-PER"])]
    first = training_label_stats(full[:1], ["O", "B-PER"], tmp_path)  # num_samples=1 of the same file
    second = training_label_stats(full, ["O", "B-PER"], tmp_path)
    assert first["weights"] == pytest.approx([4 / 6, 2.0])
    assert second["weights"] == class_weights(full, ["O", "B-PER"]) == pytest.approx([1.0, 1.0])
    assert second["counts"] == [3, 3] and second["frequencies"] == [0.5, 0.5]
    files = sorted(tmp_path.glob("label_stats_*.json"))
    assert len(files) == 2 and {json.loads(f.read_text())["sentences"] for f in files} == {1, 2}
    relabelled = training_label_stats(full, ["B-PER", "O"], tmp_path)  # another label map: another file
    assert relabelled["weights"] == pytest.approx([1.0, 1.0]) and len(list(tmp_path.glob("label_stats_*.json"))) == 3
    text = format_label_stats(second)
    assert "Three most popular labels in train:" in text and "weight 1.0000" in text
