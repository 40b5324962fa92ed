import pytest
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from conversion.schemes import (
    Entity,
    MixedTagsError,
    OutputScheme,
    Scheme,
    convert_tags,
    count_invalid_transitions,
    detect_scheme,
    merged_by_io,
    read_entities,
)

# One sentence, written by hand in every scheme: "Peter Blackburn visited New York Paris and IBM",
# with PER [0,2), LOC [3,5), LOC [5,6) (adjacent to the previous LOC) and ORG [7,8).
ENTITIES = [Entity("PER", 0, 2), Entity("LOC", 3, 5), Entity("LOC", 5, 6), Entity("ORG", 7, 8)]
WRITTEN = {
    Scheme.iob2: "B-PER I-PER O B-LOC I-LOC B-LOC O B-ORG",
    Scheme.iob1: "I-PER I-PER O I-LOC I-LOC B-LOC O I-ORG",
    Scheme.bioes: "B-PER E-PER O B-LOC E-LOC S-LOC O S-ORG",
    Scheme.bilou: "B-PER L-PER O B-LOC L-LOC U-LOC O U-ORG",
}
IO = "I-PER I-PER O I-LOC I-LOC I-LOC O I-ORG"  # IO cannot keep the two LOCs apart


@pytest.mark.parametrize("scheme", WRITTEN)
def test_hand_written_examples_are_detected_valid_and_read(scheme):
    tags = WRITTEN[scheme].split()
    assert detect_scheme([tags]) is scheme
    assert count_invalid_transitions(tags, scheme) == 0
    assert read_entities(tags) == ENTITIES


@pytest.mark.parametrize("source", WRITTEN)
@pytest.mark.parametrize("target", [s for s in OutputScheme if s is not OutputScheme.keep and s is not OutputScheme.io])
def test_every_scheme_converts_to_every_other(source, target):
    converted = convert_tags(WRITTEN[source].split(), source, target)
    assert converted == WRITTEN[Scheme(target.value)].split()


@pytest.mark.parametrize("source", WRITTEN)
def test_conversion_to_io_merges_adjacent_same_type_entities(source):
    tags = WRITTEN[source].split()
    assert convert_tags(tags, source, OutputScheme.io) == IO.split()
    assert merged_by_io(read_entities(tags)) == 1


def test_io_is_detected_and_reads_runs_as_entities():
    tags = IO.split()
    assert detect_scheme([tags]) is Scheme.io
    assert convert_tags(tags, Scheme.io, OutputScheme.iob2) == "B-PER I-PER O B-LOC I-LOC I-LOC O B-ORG".split()


def test_keep_and_plain_leave_tags_unchanged():
    tags = "O I-PER B-LOC".split()
    assert convert_tags(tags, Scheme.iob2, OutputScheme.keep) == tags
    pos = "DT NN VBZ".split()
    assert detect_scheme([pos]) is Scheme.plain
    assert convert_tags(pos, Scheme.plain, OutputScheme.bioes) == pos


@pytest.mark.parametrize(
    "scheme, tags, invalid, repaired_iob2",
    [
        (Scheme.iob2, "O I-PER I-PER O", 1, "O B-PER I-PER O"),
        (Scheme.iob2, "B-PER I-LOC", 1, "B-PER B-LOC"),
        (Scheme.iob2, "I-PER", 1, "B-PER"),
        (Scheme.iob1, "O B-PER I-PER", 1, "O B-PER I-PER"),
        (Scheme.bioes, "B-PER O", 1, "B-PER O"),
        (Scheme.bioes, "O I-PER E-PER", 1, "O B-PER I-PER"),
        (Scheme.bioes, "B-PER B-PER E-PER", 1, "B-PER B-PER I-PER"),
        (Scheme.bilou, "B-PER U-LOC", 1, "B-PER B-LOC"),
        (Scheme.bioes, "S-PER E-PER", 1, "B-PER B-PER"),
    ],
)
def test_invalid_transitions_are_counted_and_repaired_as_seqeval_reads_them(scheme, tags, invalid, repaired_iob2):
    tags = tags.split()
    assert count_invalid_transitions(tags, scheme) == invalid
    repaired = convert_tags(tags, scheme, OutputScheme.iob2)
    assert repaired == repaired_iob2.split()
    if scheme is not Scheme.bilou:  # seqeval's default mode has no L-/U-
        assert get_entities(repaired) == get_entities(tags)


def test_iob1_detection_needs_i_starts_and_iob2_wins_ties():
    assert detect_scheme([["I-PER", "O", "I-LOC", "B-LOC"]]) is Scheme.iob1
    assert detect_scheme([["B-PER", "O", "I-LOC"]]) is Scheme.iob2  # one slip each way: IOB2
    assert detect_scheme([["B-PER"], ["B-LOC", "I-LOC"], ["O", "I-ORG"]]) is Scheme.iob2


@pytest.mark.parametrize("tags", [["B-PER", "NOUN"], ["E-PER", "U-LOC"]])
def test_mixed_tag_sets_are_refused(tags):
    with pytest.raises(MixedTagsError) as info:
        detect_scheme([tags])
    assert set(info.value.tags) == set(tags)


TAGS = st.sampled_from(["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC", "B-A-B", "I-A-B"])


@given(st.lists(TAGS, max_size=30))
def test_entities_are_read_exactly_as_seqeval_reads_them(tags):
    expected = [Entity(t, start, end + 1) for t, start, end in get_entities(tags)]
    assert read_entities(tags) == expected


@given(st.lists(TAGS, max_size=30), st.sampled_from([s for s in OutputScheme if s is not OutputScheme.keep]))
def test_conversion_keeps_seqeval_entities(tags, target):
    converted = convert_tags(tags, Scheme.bioes, target)
    assert len(converted) == len(tags)
    entities = read_entities(tags)
    if target is OutputScheme.io:
        assert len(read_entities(converted)) == len(entities) - merged_by_io(entities)
    else:
        assert read_entities(converted) == entities
        assert count_invalid_transitions(converted, Scheme(target.value)) == 0
