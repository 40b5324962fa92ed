"""Generated column files: the converter gives back every token and tag, or names the bad line."""

import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from conversion.dataset import ConvertOptions, convert
from conversion.errors import ConversionError
from tests.conversion.test_dataset import read_split

NER_TAGS = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "B-MISC"]
POS_TAGS = ["NOUN", "VERB", "ADJ", "PUNCT", "X", "nn-tl", "ppss+bem"]
# Any character except the ones that make lines and columns: a tab or newline inside a token cannot
# be told from a separator in any column format. Tokens with other whitespace must be refused.
TOKENS = st.text(st.characters(exclude_characters="\t\n", exclude_categories=("Cs",)), min_size=1, max_size=6).filter(
    lambda t: t.strip(" \r") == t and t != "-DOCSTART-"
)


def is_bad(token: str, tag: str | None) -> bool:
    return tag is None or any(c.isspace() for c in token)


@st.composite
def column_files(draw):
    tagset = draw(st.sampled_from([NER_TAGS, POS_TAGS]))
    sep = draw(st.sampled_from([" ", "  ", "\t", " \t "]))
    tokens = TOKENS if "\t" in sep else TOKENS.filter(lambda t: " " not in t)  # spaces split columns
    drop_tag = st.sampled_from(tagset) | st.just(None) if draw(st.integers(0, 9)) == 0 else st.sampled_from(tagset)
    sentences = draw(st.lists(st.lists(st.tuples(tokens, drop_tag), min_size=1, max_size=6), min_size=1, max_size=5))
    blanks = st.lists(st.sampled_from(["", " ", "\t", " \t  "]), min_size=1, max_size=3)
    lines, bad_lines, written = draw(blanks)[1:], [], []  # stray blank lines before the first sentence too
    for sentence in sentences:
        written.append([])
        if draw(st.integers(0, 4)) == 0:
            lines += ["-DOCSTART-" + draw(st.sampled_from(["", f"{sep}O", f"{sep}-X-{sep}O"])), ""]
        for token, tag in sentence:
            if tag is None and not token.strip():
                tag = tagset[0]  # a whitespace-only line is a blank line: a sentence break, not an error
            written[-1].append((token, tag))
            lines.append(token if tag is None else f"{token}{sep}{tag}")
            if is_bad(token, tag):
                bad_lines.append(len(lines))
        lines += draw(blanks)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = draw(st.sampled_from(["", "\ufeff"])) + newline.join(lines)
    return text, written, bad_lines[:1], tagset


@given(column_files())
def test_generated_files_round_trip_or_fail_at_the_bad_line(generated):
    text, sentences, first_bad, tagset = generated
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp, "src"), Path(tmp, "out")
        source.mkdir()
        (source / "train.txt").write_bytes(text.encode("utf-8"))
        (source / "dev.txt").write_text(f"a {tagset[0]}\n")
        options = dict(source_data_dir=str(source), target_data_dir=str(out), allow_unseen_labels=True)
        try:
            convert(ConvertOptions(output_scheme="keep", input_scheme="plain", **options))
        except ConversionError as error:
            assert first_bad, f"clean input refused: {error}"
            assert (error.path, error.line) == (str(source / "train.txt"), first_bad[0])
            assert not out.exists()
            event("bad line refused")
            return
        assert not first_bad, "bad input accepted"
        assert read_split(out, "train") == sentences
        event("converted")

        if tagset is NER_TAGS:  # converting keeps every entity as seqeval reads it
            convert(ConvertOptions(output_scheme="iob2", **options))
            converted = read_split(out, "train")
            for original, written in zip(sentences, converted):
                assert [w for w, _ in written] == [w for w, _ in original]
                assert get_entities([t for _, t in written]) == get_entities([t for _, t in original])
