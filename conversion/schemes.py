"""Tagging schemes: detection, validity of transitions, and conversion between schemes.

Entities are read the way seqeval's default (conlleval) mode reads them, with BILOU's L/U taken
as BIOES's E/S; writing those entities back in another scheme is how invalid transitions are
repaired, so a converted file scores exactly as seqeval scored the original.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import Iterable, NamedTuple


class Scheme(str, Enum):
    iob1 = "iob1"
    iob2 = "iob2"
    bioes = "bioes"
    bilou = "bilou"
    io = "io"
    plain = "plain"  # tags without prefixes (POS, chunk labels): never converted


class OutputScheme(str, Enum):
    keep = "keep"
    iob1 = "iob1"
    iob2 = "iob2"
    bioes = "bioes"
    bilou = "bilou"
    io = "io"


_PREFIXED = re.compile(r"([BIESLU])-(.+)", re.DOTALL)
# BILOU's Last/Unit are BIOES's End/Single.
_CANONICAL = {"L": "E", "U": "S"}


class Entity(NamedTuple):
    type: str
    start: int
    end: int  # exclusive


class MixedTagsError(ValueError):
    """The tag set mixes schemes; `tags` are two tags that cannot belong to one scheme."""

    def __init__(self, tags: tuple[str, str], reason: str):
        self.tags = tags
        super().__init__(reason)


@lru_cache(maxsize=65536)  # tag sets are small and files large: parse each distinct tag once
def split_tag(tag: str, outside: str = "O") -> tuple[str, str]:
    """(prefix, type): ("O", "") outside an entity, ("", tag) for a tag without a scheme prefix."""
    if tag == outside:
        return "O", ""
    match = _PREFIXED.fullmatch(tag)
    return (match.group(1), match.group(2)) if match else ("", tag)


def detect_scheme(sentences: Iterable[list[str]], outside: str = "O") -> Scheme:
    prefixes: dict[str, str] = {}  # prefix -> one tag that uses it
    plain_tag = None
    b_starts = i_starts = 0  # entity starts that IOB1 / IOB2 would call invalid
    for tags in sentences:
        prev_prefix, prev_type = "O", ""
        for tag in tags:
            prefix, type_ = split_tag(tag, outside)
            if prefix == "":
                plain_tag = plain_tag or tag
            elif prefix != "O":
                prefixes.setdefault(prefix, tag)
                continues = prev_prefix in ("B", "I") and prev_type == type_
                b_starts += prefix == "B" and not continues
                i_starts += prefix == "I" and not continues
            prev_prefix, prev_type = prefix, type_
    if plain_tag is not None:
        if prefixes:
            other = next(iter(prefixes.values()))
            raise MixedTagsError(
                (plain_tag, other), f"tag {plain_tag!r} has no B-/I-/E-/S-/L-/U- prefix while {other!r} has one"
            )
        return Scheme.plain
    if not prefixes:
        return Scheme.plain  # only the outside label
    bioes, bilou = prefixes.keys() & {"E", "S"}, prefixes.keys() & {"L", "U"}
    if bioes and bilou:
        pair = (prefixes[min(bioes)], prefixes[min(bilou)])
        raise MixedTagsError(pair, f"tags {pair[0]!r} (BIOES) and {pair[1]!r} (BILOU) mix two schemes")
    if bioes:
        return Scheme.bioes
    if bilou:
        return Scheme.bilou
    if prefixes.keys() == {"I"}:
        return Scheme.io
    # IOB1 uses B- only right after an entity of the same type; IOB2 starts every entity with B-.
    return Scheme.iob1 if b_starts < i_starts else Scheme.iob2


def allowed_transition(previous: str, tag: str, scheme: Scheme, outside: str = "O") -> bool:
    """Whether the scheme lets `tag` follow `previous` (the outside label stands for a sentence's start and end)."""
    if scheme in (Scheme.plain, Scheme.io):
        return True
    prev_prefix, prev_type = split_tag(previous, outside)
    prefix, type_ = split_tag(tag, outside)
    prev_prefix, prefix = _CANONICAL.get(prev_prefix, prev_prefix), _CANONICAL.get(prefix, prefix)
    same = prev_type == type_ and prev_prefix != "O"
    if scheme is Scheme.iob2:
        return not (prefix == "I" and not (prev_prefix in ("B", "I") and same))
    if scheme is Scheme.iob1:
        return not (prefix == "B" and not (prev_prefix in ("B", "I") and same))
    # bioes / bilou: an entity opens with B or S and closes with E or S
    inside = prev_prefix in ("B", "I")
    return inside and same if prefix in ("I", "E") else not inside


def count_invalid_transitions(tags: list[str], scheme: Scheme, outside: str = "O") -> int:
    """Tags that the scheme does not allow where they stand (an entity cut short counts once)."""
    if scheme in (Scheme.plain, Scheme.io):
        return 0
    sequence = [outside, *tags, outside]
    return sum(not allowed_transition(a, b, scheme, outside) for a, b in zip(sequence, sequence[1:]))


def read_entities(tags: list[str], outside: str = "O") -> list[Entity]:
    """Entities as seqeval's default mode (conlleval) reads them, whatever the scheme."""
    entities = []
    prev_prefix, prev_type, start = "O", "", 0
    for i, tag in enumerate([*tags, outside]):
        prefix, type_ = split_tag(tag, outside)
        prefix = _CANONICAL.get(prefix, prefix)
        if prefix == "":
            prefix = "I"  # a tag with no prefix reads as the inside of an entity of that type
        ends = prev_prefix in ("E", "S") or (
            prev_prefix in ("B", "I") and (prefix in ("B", "S", "O") or prev_type != type_)
        )
        if ends:
            entities.append(Entity(prev_type, start, i))
        if prefix in ("B", "S") or (prefix in ("I", "E") and (prev_prefix in ("E", "S", "O") or prev_type != type_)):
            start = i
        prev_prefix, prev_type = prefix, type_
    return entities


def write_entities(entities: list[Entity], length: int, scheme: OutputScheme, outside: str = "O") -> list[str]:
    tags = [outside] * length
    previous: Entity | None = None
    for entity in entities:
        span = range(entity.start, entity.end)
        first, last = entity.start, entity.end - 1
        for i in span:
            tags[i] = f"I-{entity.type}"
        if scheme is OutputScheme.iob2:
            tags[first] = f"B-{entity.type}"
        elif scheme is OutputScheme.iob1:
            if previous is not None and previous.end == first and previous.type == entity.type:
                tags[first] = f"B-{entity.type}"
        elif scheme in (OutputScheme.bioes, OutputScheme.bilou):
            begin, end, single = ("B", "E", "S") if scheme is OutputScheme.bioes else ("B", "L", "U")
            if first == last:
                tags[first] = f"{single}-{entity.type}"
            else:
                tags[first], tags[last] = f"{begin}-{entity.type}", f"{end}-{entity.type}"
        previous = entity
    return tags


def merged_by_io(entities: list[Entity]) -> int:
    """Entities that IO tagging cannot keep apart from the one before (same type, adjacent)."""
    return sum(a.end == b.start and a.type == b.type for a, b in zip(entities, entities[1:]))


def convert_tags(tags: list[str], source: Scheme, target: OutputScheme, outside: str = "O") -> list[str]:
    if target is OutputScheme.keep or source is Scheme.plain:
        return list(tags)
    return write_entities(read_entities(tags, outside), len(tags), target, outside)
