import numpy as np
import pytest

from tokcls.core.errors import InputError
from tokcls.data.cache import cache_key
from tokcls.data.windows import IGNORE, WindowSettings, owning_window, window_spans
from tokcls.tasks.token.examples import Example
from tokcls.tasks.token.features import continuation_label_ids, encode, word_predictions

LABELS = ["O", "B-PER", "I-PER", "B-LOC"]


def windows_of(features, example):
    return [features.window(i) for i in range(len(features)) if features.example[i] == example]


def owned_words(features, example):
    return sorted(w for window in windows_of(features, example) for w in window["word_index"].tolist() if w >= 0)


def test_first_subtoken_carries_the_label(tiny_tokenizer):
    example = Example(["johnsonville", "visited", "paris"], ["B-PER", "O", "B-LOC"])
    features, _ = encode([example], tiny_tokenizer, LABELS, WindowSettings(32, 8))
    window = features.window(0)
    pieces = tiny_tokenizer.convert_ids_to_tokens(window["input_ids"].tolist())
    assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]" and len(pieces) > 5  # johnsonville splits
    labelled = [(pieces[i], LABELS[lab]) for i, lab in enumerate(window["labels"].tolist()) if lab != IGNORE]
    assert labelled == [("johnson", "B-PER"), ("visited", "O"), ("paris", "B-LOC")]
    assert [w for w in window["word_index"].tolist() if w >= 0] == [0, 1, 2]


def test_label_all_subwords_turns_b_into_i_on_later_pieces(tiny_tokenizer):
    example = Example(["johnsonville", "paris"], ["B-PER", "B-LOC"])
    features, _ = encode([example], tiny_tokenizer, LABELS, WindowSettings(32, 8, label_all_subwords=True))
    window = features.window(0)
    labels = [LABELS[lab] for lab in window["labels"].tolist() if lab != IGNORE]
    n_pieces = len(tiny_tokenizer.tokenize("johnsonville"))
    assert labels == ["B-PER"] + ["I-PER"] * (n_pieces - 1) + ["B-LOC"]
    assert continuation_label_ids(LABELS) == [0, 2, 2, 3]  # B-LOC has no I-LOC: stays B-LOC


def test_a_1000_word_sentence_keeps_every_word_exactly_once(tiny_tokenizer):
    words = [f"word{i}" for i in range(1000)]
    example = Example(words, ["O"] * 1000)
    features, info = encode([example], tiny_tokenizer, LABELS, WindowSettings(64, 16))
    assert info["windowed_sentences"] == 1 and len(features) > 10
    assert owned_words(features, 0) == list(range(1000))
    assert all(len(w["input_ids"]) <= 64 for w in windows_of(features, 0))
    trained = sum(int((w["labels"] != IGNORE).sum()) for w in windows_of(features, 0))
    assert trained == 1000  # each word is trained on once, in its owning window


def test_windows_overlap_by_stride_and_cover_the_end():
    spans = window_spans(100, capacity=30, stride=10)
    assert spans[0] == (0, 30) and spans[-1] == (70, 100)
    assert all(b[0] - a[0] <= 20 for a, b in zip(spans, spans[1:]))
    assert window_spans(30, capacity=30, stride=10) == [(0, 30)]


def test_each_position_is_owned_by_the_window_with_most_context():
    spans = window_spans(100, capacity=30, stride=10)
    for position in range(100):
        k = owning_window(position, spans, step=20)
        start, end = spans[k]
        best = max(min(position - s, e - 1 - position) for s, e in spans if s <= position < e)
        assert start <= position < end and min(position - start, end - 1 - position) == best


def test_words_the_tokenizer_drops_become_unknown_and_empty_sentences_have_no_windows(tiny_tokenizer):
    examples = [Example(["a", "\u200b", "b"], ["O", "B-PER", "O"]), Example([], []), Example(["c"], ["O"])]
    features, _ = encode(examples, tiny_tokenizer, LABELS, WindowSettings(16, 4))
    assert sorted(set(features.example.tolist())) == [0, 2]
    window = features.window(0)
    assert tiny_tokenizer.unk_token_id in window["input_ids"].tolist()
    assert owned_words(features, 0) == [0, 1, 2]


def test_predictions_come_back_per_word(tiny_tokenizer):
    examples = [Example([f"w{i}" for i in range(50)], None), Example([], None), Example(["x", "y"], None)]
    features, _ = encode(examples, tiny_tokenizer, None, WindowSettings(16, 4))
    positions = features.word_index >= 0
    example_of_position = np.repeat(features.example, features.lengths)[positions]
    fake_predictions = features.word_index[positions] % 2  # label id = word index parity
    result = word_predictions([50, 0, 2], example_of_position, features.word_index[positions], fake_predictions, LABELS)
    assert result[0] == [LABELS[i % 2] for i in range(50)] and result[1] == [] and result[2] == ["O", "B-PER"]


def test_impossible_window_settings_are_refused(tiny_tokenizer):
    with pytest.raises(InputError, match="stride"):
        encode([Example(["a"], ["O"])], tiny_tokenizer, LABELS, WindowSettings(16, 14))
    with pytest.raises(InputError, match="max_seq_length"):
        encode([Example(["a"], ["O"])], tiny_tokenizer, LABELS, WindowSettings(3, 0))


def test_cache_key_changes_with_content_settings_and_labels(tmp_path, tiny_tokenizer):
    text = tmp_path / "text.txt"
    text.write_text("a b\n")
    key = cache_key([text], tiny_tokenizer, LABELS, WindowSettings(), -1)
    assert cache_key([text], tiny_tokenizer, LABELS, WindowSettings(), -1) == key
    assert cache_key([text], tiny_tokenizer, LABELS, WindowSettings(64), -1) != key
    assert cache_key([text], tiny_tokenizer, LABELS[:3], WindowSettings(), -1) != key
    assert cache_key([text], tiny_tokenizer, LABELS, WindowSettings(), 10) != key
    text.write_text("a c\n")
    assert cache_key([text], tiny_tokenizer, LABELS, WindowSettings(), -1) != key
