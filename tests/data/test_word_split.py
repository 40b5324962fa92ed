from hypothesis import given
from hypothesis import strategies as st

from tokcls.core.word_split import split_words


def texts(words):
    return [w.text for w in words]


def test_punctuation_is_its_own_word_and_joiners_stay_inside():
    assert texts(split_words("EU rejects German call, 3.14 don't New-York.")) == [
        "EU",
        "rejects",
        "German",
        "call",
        ",",
        "3.14",
        "don't",
        "New-York",
        ".",
    ]


def test_scripts_emoji_and_marks():
    # written without spaces: a word per character (a run is never one word an entity could hide in)
    assert texts(split_words("東京に行きました。")) == ["東", "京", "に", "行", "き", "ま", "し", "た", "。"]
    assert texts(split_words("ダーバンがNY゙")) == ["ダ", "ー", "バ", "ン", "が", "NY゙"]
    assert texts(split_words("が東京")) == ["が", "東", "京"]  # a combining mark stays on its character
    assert texts(split_words("שלום עולם, مرحبا")) == ["שלום", "עולם", ",", "مرحبا"]
    assert texts(split_words("I ❤️ NLP 👩‍💻")) == ["I", "❤️", "NLP", "👩\u200d💻"]
    assert texts(split_words("cafe\u0301 !")) == ["cafe\u0301", "!"]
    assert split_words("") == [] and split_words(" \t\u3000 ") == []


@given(st.text())
def test_every_visible_character_lands_in_exactly_one_word_whose_offsets_slice_to_it(text):
    words = split_words(text)
    covered = set()
    for word in words:
        assert text[word.start : word.end] == word.text and word.text
        assert not any(c.isspace() for c in word.text)
        covered |= set(range(word.start, word.end))
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}
    assert all(a.end <= b.start for a, b in zip(words, words[1:]))
