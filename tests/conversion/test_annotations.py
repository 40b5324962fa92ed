"""dataset_convert from annotation tools' exports (conversion/annotations/): files written the way each tool writes
them convert to exactly the expected text/labels and span files, emoji, CJK, CRLF, off-boundary spans, overlaps and
nesting included; every bad record is named by file and record."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conversion.dataset import ConvertOptions, convert
from conversion.errors import ConversionError
from tests.conftest import SHARED_DATA

EMOJI = "John Smith 😀 visited New York ."  # the emoji is one code point, two UTF-16 units
NY = EMOJI.index("New York")


def _convert(tmp_path: Path, train: str, dev: str, src: Path | None = None, **options) -> tuple[dict, dict]:
    out = tmp_path / "out"
    source = str(src or tmp_path / "src")
    stats = convert(
        ConvertOptions(source_data_dir=source, target_data_dir=str(out), train_file=train, dev_file=dev, **options)
    )
    files = {p.name: p.read_text(encoding="utf-8").splitlines() for p in out.iterdir()}
    return stats, files


def _jsonl(path: Path, rows: list[dict]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path.name


def test_doccano_code_points_emoji_cjk_crlf_nesting_and_snapping(tmp_path):
    src = tmp_path / "src"
    train = _jsonl(
        src / "train.jsonl",
        [
            {"text": EMOJI, "label": [[0, 10, "PER"], [NY, NY + 8, "LOC"], [NY + 4, NY + 8, "CITY"]]},
            {"text": "Mary went to Paris\r\nand then Rome", "label": [[0, 4, "PER"], [13, 18, "LOC"], [29, 33, "LOC"]]},
            {"text": "Acme Corp. sells", "label": [[0, 7, "ORG"]]},  # ends inside "Corp"
        ],
    )
    dev = _jsonl(src / "dev.jsonl", [{"text": "東京は首都", "label": [[0, 2, "LOC"]]}])
    stats, files = _convert(tmp_path, train, dev, format="doccano")
    assert files["text_train.txt"] == [EMOJI, "Mary went to Paris", "and then Rome", "Acme Corp . sells"]
    assert files["labels_train.txt"] == [
        "B-PER I-PER O O B-LOC I-LOC O",  # the longer LOC wins over the CITY inside it
        "B-PER O O B-LOC",
        "O O B-LOC",
        "B-ORG I-ORG O O",
    ]
    assert files["docs_train.txt"] == ["0", "1", "1", "2"]  # the CRLF record: two sentences, one document
    assert json.loads(files["spans_train.jsonl"][0]) == [[0, 2, "PER"], [4, 6, "LOC"], [5, 6, "CITY"]]  # nesting kept
    assert files["text_dev.txt"] == ["東 京 は 首 都"] and files["labels_dev.txt"] == ["B-LOC I-LOC O O O"]
    report = stats["splits"]["train"]["annotations"]
    assert report["snapped_to_words"] == {"ORG": 1} and report["overlaps_dropped_from_iob"] == {"CITY": 1}
    assert "line 3" in report["examples"]["snapped"][0] and files["span_label_ids.csv"] == [
        "O",
        "CITY",
        "LOC",
        "ORG",
        "PER",
    ]


def test_refused_and_impossible_spans_name_their_file_and_record(tmp_path):
    src = tmp_path / "src"
    dev = _jsonl(src / "dev.jsonl", [{"text": "ok", "label": []}])
    cases = [
        ({"text": "Acme Corp. sells", "label": [[0, 7, "ORG"]]}, {"boundary": "refuse"}, "inside a word"),
        ({"text": "a  b", "label": [[1, 3, "X"]]}, {}, "covers no word"),
        ({"text": "a b", "label": [[0, 9, "X"]]}, {}, "outside the text"),
        ({"text": "New\nYork", "label": [[0, 8, "LOC"]]}, {}, "crosses a line break"),
        ({"text": "a", "label": ["positive"]}, {}, "sequence-labelling"),
    ]
    for row, options, message in cases:
        train = _jsonl(src / "train.jsonl", [{"text": "fine", "label": []}, row])
        with pytest.raises(ConversionError, match=message) as error:
            _convert(tmp_path, train, dev, format="doccano", **options)
        assert "train.jsonl, line 2" in str(error.value)
        assert not (tmp_path / "out").exists()  # nothing written on error


def test_label_studio_reads_code_points_and_converts_utf16_offsets(tmp_path):
    src = tmp_path / "src"
    after = EMOJI.index("visited")
    in_utf16 = after + 1  # JavaScript counts the emoji twice

    def task(start, end, text, cancelled=False):
        value = {"start": start, "end": end, "text": text, "labels": ["ACT"]}
        result = [{"from_name": "label", "to_name": "text", "type": "labels", "value": value}]
        return {"data": {"text": EMOJI}, "annotations": [{"result": result, "was_cancelled": cancelled}]}

    tasks = [
        task(after, after + 7, "visited"),  # Label Studio 1.x: code points
        task(in_utf16, in_utf16 + 7, "visited"),  # older frontends: UTF-16 units
        task(0, 4, "John", cancelled=True),  # cancelled: not read
        {"data": {"text": "nobody annotated this"}, "annotations": []},
    ]
    (src / "train.json").parent.mkdir(parents=True, exist_ok=True)
    (src / "train.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    dev = _jsonl(src / "dev.jsonl", [{"text": "visited", "label": [[0, 7, "ACT"]]}])
    stats, files = _convert(tmp_path, "train.json", dev)
    assert files["labels_train.txt"] == ["O O O B-ACT O O O"] * 2
    report = stats["splits"]["train"]["annotations"]
    assert report["utf16_offsets_converted"] == 1
    assert report["skipped_records"] == {"Label Studio task without annotation": 2}
    tasks[0]["annotations"][0]["result"][0]["value"]["text"] = "visiter"
    (src / "train.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConversionError, match="task 1: the span"):
        _convert(tmp_path, "train.json", dev)


def test_prodigy_keeps_accepted_answers_and_counts_the_others(tmp_path):
    src = tmp_path / "src"
    rows = [
        {"text": "Paris is big", "spans": [{"start": 0, "end": 5, "label": "LOC"}], "answer": "accept"},
        {"text": "Rome too", "spans": [{"start": 0, "end": 4, "label": "LOC"}], "answer": "reject"},
        {"text": "and Oslo", "spans": [{"start": 4, "end": 8, "label": "LOC", "token_start": 1}], "answer": "ignore"},
    ]
    train = _jsonl(src / "train.jsonl", rows)
    stats, files = _convert(tmp_path, train, train)  # format auto: "spans" -> Prodigy
    assert files["text_train.txt"] == ["Paris is big"] and files["labels_train.txt"] == ["B-LOC O O"]
    assert stats["splits"]["train"]["annotations"]["skipped_records"] == {
        "Prodigy answer 'reject'": 1,
        "Prodigy answer 'ignore'": 1,
    }


def test_brat_folders_count_crlf_as_brat_does_and_report_what_is_not_an_entity(tmp_path):
    for split in ("train", "dev"):
        folder = tmp_path / "src" / split
        folder.mkdir(parents=True)
        (folder / "a.txt").write_bytes("Angela Merkel\r\nvisited Paris .\r\n".encode())
        (folder / "a.ann").write_text(
            "T1\tPER 0 13\tAngela Merkel\nT2\tLOC 23 28\tParis\nT3\tLOC 0 6;7 13\tAngela Merkel\n"
            "R1\tLives Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tchancellor\n",
            encoding="utf-8",
        )
    stats, files = _convert(tmp_path, "train", "dev")  # format auto: a folder is brat
    assert files["text_train.txt"] == ["Angela Merkel", "visited Paris ."]
    assert files["labels_train.txt"] == ["B-PER I-PER", "O B-LOC O"] and files["docs_train.txt"] == ["0", "0"]
    report = stats["splits"]["train"]["annotations"]
    assert report["discontinuous"] == {"LOC": 1}
    assert report["skipped_records"] == {"brat R annotation (not an entity)": 1, "brat # annotation (not an entity)": 1}
    (tmp_path / "src" / "train" / "a.ann").write_text("T1\tPER 0 13\tAngela Merke\n", encoding="utf-8")
    with pytest.raises(ConversionError, match=r"a.ann, line 1: the span \[0, 13\)"):
        _convert(tmp_path, "train", "dev")


def _entities(tags: list[str]) -> list[tuple[int, int, str]]:
    from conversion.schemes import read_entities

    return [(e.start, e.end, e.type) for e in read_entities(tags, "O")]


@pytest.mark.skipif(not (SHARED_DATA / "conll2003_en").is_dir(), reason="needs ../shared/data")
def test_conll_dev_round_trips_through_every_span_format(tmp_path):
    """CoNLL-2003 dev -> dataset_convert -> each tool's format (written as the tool writes it) -> dataset_convert:
    the same text/labels files."""
    reference = tmp_path / "reference"
    convert(ConvertOptions(source_data_dir=str(SHARED_DATA / "conll2003_en"), target_data_dir=str(reference)))
    texts = (reference / "text_dev.txt").read_text(encoding="utf-8").splitlines()
    labels = (reference / "labels_dev.txt").read_text(encoding="utf-8").splitlines()
    rows = []
    for text, tags in zip(texts, labels):
        starts, at = [], 0
        for word in text.split(" "):
            starts.append(at)
            at += len(word) + 1
        words = text.split(" ")
        rows.append([(starts[s], starts[e - 1] + len(words[e - 1]), t) for s, e, t in _entities(tags.split())])
    src = tmp_path / "src"
    written = {
        "doccano": _jsonl(
            src / "doccano.jsonl", [{"text": t, "label": [list(s) for s in r]} for t, r in zip(texts, rows)]
        ),
        "prodigy": _jsonl(
            src / "prodigy.jsonl",
            [
                {"text": t, "spans": [{"start": a, "end": b, "label": c} for a, b, c in r], "answer": "accept"}
                for t, r in zip(texts, rows)
            ],
        ),
    }
    tasks = [
        {
            "data": {"text": t},
            "annotations": [
                {
                    "result": [
                        {"type": "labels", "value": {"start": a, "end": b, "text": t[a:b], "labels": [c]}}
                        for a, b, c in r
                    ]
                }
            ],
        }
        for t, r in zip(texts, rows)
    ]
    (src / "ls.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    written["label_studio"] = "ls.json"
    brat = src / "brat"
    brat.mkdir()
    (brat / "dev.txt").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    offset, lines, n = 0, [], 0
    for text, r in zip(texts, rows):
        for a, b, c in r:
            n += 1
            lines.append(f"T{n}\t{c} {offset + a} {offset + b}\t{text[a:b]}")
        offset += len(text) + 1
    (brat / "dev.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    written["brat"] = "brat"
    for fmt, name in written.items():
        stats, files = _convert(tmp_path / fmt, name, name, src=src, word_split="whitespace")
        assert files["text_train.txt"] == texts and files["labels_train.txt"] == labels, fmt


CONLLU = """# newdoc id = d1
# sent_id = 1
# text = Angela Merkel visited Paris.
1\tAngela\tAngela\tPROPN\tNNP\t_\t3\tnsubj\t_\tNER=B-PER
2\tMerkel\tMerkel\tPROPN\tNNP\t_\t1\tflat\t_\tNER=I-PER
3\tvisited\tvisit\tVERB\tVBD\t_\t0\troot\t_\tNER=O
4-5\tParis.\t_\t_\t_\t_\t_\t_\t_\t_
4\tParis\tParis\tPROPN\tNNP\t_\t3\tobj\t_\tNER=B-LOC|SpaceAfter=No
5\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\tNER=O
5.1\tghost\t_\t_\t_\t_\t_\t_\t_\t_

"""


def test_conllu_reads_a_named_column_or_misc_key_and_skips_ranges_and_empty_nodes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.conllu").write_text(CONLLU, encoding="utf-8")
    _, files = _convert(tmp_path, "train.conllu", "train.conllu")  # auto: .conllu
    assert files["text_train.txt"] == ["Angela Merkel visited Paris ."]
    assert files["labels_train.txt"] == ["B-PER I-PER O B-LOC O"]
    _, files = _convert(tmp_path / "upos", "train.conllu", "train.conllu", src=src, tag_field="upos")
    assert files["labels_train.txt"] == ["PROPN PROPN VERB PROPN PUNCT"]
    with pytest.raises(ConversionError, match="sentence 1: the word 'Angela' has no misc:TAG"):
        _convert(tmp_path / "bad", "train.conllu", "train.conllu", src=src, tag_field="misc:TAG")


def test_hf_datasets_json_lines_with_tag_names_or_ids(tmp_path):
    src = tmp_path / "src"
    names = ["O", "B-PER", "I-PER", "B-LOC"]
    ids = _jsonl(src / "ids.jsonl", [{"id": "0", "tokens": ["John", "Smith", "in", "Rome"], "ner_tags": [1, 2, 0, 3]}])
    _, files = _convert(tmp_path, ids, ids, label_names=names)
    assert files["labels_train.txt"] == ["B-PER I-PER O B-LOC"] and files["text_train.txt"] == ["John Smith in Rome"]
    with pytest.raises(ConversionError, match="label_names"):
        _convert(tmp_path / "x", ids, ids, src=src)
    named = _jsonl(src / "named.jsonl", [{"words": ["Rome"], "tags": ["B-LOC"]}])
    assert _convert(tmp_path / "n", named, named, src=src)[1]["labels_train.txt"] == ["B-LOC"]


def test_parquet_is_read_with_pyarrow_and_refused_with_the_fix_without_it(tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    (tmp_path / "src").mkdir()
    table = pa.table({"tokens": [["John", "in", "Rome"], ["Paris"]], "ner_tags": [[1, 0, 2], [2]]})
    pq.write_table(table, tmp_path / "src" / "train.parquet")
    _, files = _convert(tmp_path, "train.parquet", "train.parquet", label_names=["O", "B-PER", "B-LOC"])
    assert files["text_train.txt"] == ["John in Rome", "Paris"] and files["labels_train.txt"] == [
        "B-PER O B-LOC",
        "B-LOC",
    ]
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if pyarrow were not installed
    with pytest.raises(ConversionError, match=r"pip install 'tokcls\[parquet\]' \(pyarrow\)"):
        _convert(tmp_path / "again", "train.parquet", "train.parquet", src=tmp_path / "src", label_names=["O"])


@pytest.mark.parametrize("fmt", ["label_studio", "prodigy", "doccano"])
def test_infer_writes_pre_annotations_that_convert_back_to_its_entities(trained, tmp_path, fmt):
    from tokcls.cli import main

    _, archive, _ = trained
    texts = ["paris and john smith", "john visited london and paris .", "nothing here"]
    (tmp_path / "in.txt").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    argv = [
        "infer",
        "-r",
        str(tmp_path / "infer"),
        "-m",
        str(archive),
        "-k",
        "key1",
        f"input_file={tmp_path / 'in.txt'}",
    ]
    assert main(argv + [f"annotations.format={fmt}"]) == 0
    records = [json.loads(line) for line in (tmp_path / "infer" / "infer_results.jsonl").read_text().splitlines()]
    name = f"predictions_{fmt}.{'json' if fmt == 'label_studio' else 'jsonl'}"
    options = {"label_studio_predictions": True} if fmt == "label_studio" else {}
    stats, files = _convert(tmp_path, name, name, src=tmp_path / "infer", format=fmt, **options)
    assert files["text_train.txt"] == [" ".join(r["words"]) for r in records]
    for record, line in zip(records, files["spans_train.jsonl"]):
        starts = [s for s, _ in record["offsets"]]
        expected = [
            [starts.index(e["start"]), starts.index(e["start"]) + len(e["text"].split()), e["type"]]
            for e in record["entities"]
        ]
        assert json.loads(line) == sorted(expected)
    assert any(record["entities"] for record in records)
    if fmt == "label_studio":
        tasks = json.loads((tmp_path / "infer" / name).read_text())
        region = tasks[0]["predictions"][0]["result"][0]
        assert region["type"] == "labels" and 0 <= region["score"] <= 1 and tasks[0]["data"]["text"] == texts[0]


def test_text_labels_from_label_studio_choices_and_prodigy_sessions(tmp_path):
    from conversion.text_dataset import TextConvertOptions, convert_texts

    src = tmp_path / "src"
    src.mkdir()

    def task(text, choices, cancelled=False):
        result = [{"type": "choices", "from_name": "sentiment", "to_name": "text", "value": {"choices": choices}}]
        return {"data": {"text": text}, "annotations": [{"result": result, "was_cancelled": cancelled}]}

    tasks = [task("great film", ["pos"]), task("dull", ["neg"]), task("meh", ["neg"], cancelled=True)]
    (src / "train.json").write_text(json.dumps(tasks), encoding="utf-8")
    rows = [
        {"text": "loved it", "accept": ["pos"], "answer": "accept"},
        {"text": "awful", "label": "neg", "answer": "accept"},
        {"text": "unsure", "label": "pos", "answer": "reject"},
    ]
    _jsonl(src / "dev.jsonl", rows)
    options = TextConvertOptions(
        source_data_dir=str(src), target_data_dir=str(tmp_path / "out"), train_file="train.json", dev_file="dev.jsonl"
    )
    convert_texts(options)
    written = {p.name: p.read_text(encoding="utf-8").splitlines() for p in (tmp_path / "out").iterdir()}
    labels = written["label_ids.csv"] if "label_ids.csv" in written else written["labels.csv"]
    ids = {label.split("\t")[0]: i for i, label in enumerate(labels)}
    assert written["train.tsv"] == [f"great film\t{ids['pos']}", f"dull\t{ids['neg']}"]
    assert written["dev.tsv"] == [f"loved it\t{ids['pos']}", f"awful\t{ids['neg']}"]


# One set of records, written by each tool's rules: emoji (one code point), CJK without spaces, CRLF, a span ending
# inside a word, nesting, and an overlap that IOB cannot hold.
RECORDS = [
    (EMOJI, [(0, 10, "PER"), (NY, NY + 8, "LOC"), (NY + 4, NY + 8, "CITY")]),
    ("東京は首都", [(0, 2, "LOC")]),
    ("Mary went to Paris\r\nand then Rome", [(0, 4, "PER"), (13, 18, "LOC"), (29, 33, "LOC")]),
    ("Acme Corp. sells", [(0, 7, "ORG")]),
    ("big New York deal", [(4, 12, "LOC"), (8, 17, "MISC")]),  # "York" in both, both 2 words: the earlier wins
]
EXPECTED_TEXT = [
    EMOJI,
    "東 京 は 首 都",
    "Mary went to Paris",
    "and then Rome",
    "Acme Corp . sells",
    "big New York deal",
]
EXPECTED_LABELS = [
    "B-PER I-PER O O B-LOC I-LOC O",
    "B-LOC I-LOC O O O",
    "B-PER O O B-LOC",
    "O O B-LOC",
    "B-ORG I-ORG O O",
    "O B-LOC I-LOC O",
]


def _write_as(fmt: str, folder: Path, records) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "doccano":
        return _jsonl(folder / "s.jsonl", [{"text": t, "label": [list(s) for s in spans]} for t, spans in records])
    if fmt == "prodigy":
        rows = [{"text": t, "spans": [{"start": a, "end": b, "label": c} for a, b, c in spans]} for t, spans in records]
        return _jsonl(folder / "s.jsonl", [r | {"answer": "accept"} for r in rows])
    if fmt == "label_studio":
        tasks = [
            {
                "data": {"text": t},
                "annotations": [
                    {
                        "result": [
                            {"type": "labels", "value": {"start": a, "end": b, "text": t[a:b], "labels": [c]}}
                            for a, b, c in spans
                        ]
                    }
                ],
            }
            for t, spans in records
        ]
        (folder / "s.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        return "s.json"
    (folder / "brat").mkdir()
    for i, (t, spans) in enumerate(records):
        (folder / "brat" / f"r{i}.txt").write_bytes(t.encode("utf-8"))
        lines = [f"T{j}\t{c} {a} {b}\t{t[a:b]}" for j, (a, b, c) in enumerate(spans, start=1)]
        (folder / "brat" / f"r{i}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "brat"


@pytest.mark.parametrize("fmt", ["label_studio", "prodigy", "doccano", "brat"])
def test_every_span_format_gives_the_same_words_labels_spans_and_report(tmp_path, fmt):
    name = _write_as(fmt, tmp_path / "src", RECORDS)
    stats, files = _convert(tmp_path, name, name)  # format auto
    assert files["text_train.txt"] == EXPECTED_TEXT and files["labels_train.txt"] == EXPECTED_LABELS
    assert files["docs_train.txt"] == ["0", "1", "2", "2", "3", "4"]
    assert json.loads(files["spans_train.jsonl"][0]) == [[0, 2, "PER"], [4, 6, "LOC"], [5, 6, "CITY"]]
    assert json.loads(files["spans_train.jsonl"][5]) == [[1, 3, "LOC"], [2, 4, "MISC"]]
    report = stats["splits"]["train"]["annotations"]
    assert report["snapped_to_words"] == {"ORG": 1}
    assert report["overlaps_dropped_from_iob"] == {"CITY": 1, "MISC": 1}
    with pytest.raises(ConversionError, match="inside a word"):
        _convert(tmp_path / "refuse", name, name, src=tmp_path / "src", boundary="refuse")


def test_text_infer_writes_label_studio_choices_and_prodigy_accepts(text_trained, tmp_path):
    from tokcls.cli import text_main

    _, archive = text_trained
    texts = ["goal match team today", "bank market shares"]
    (tmp_path / "in.txt").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    base = ["infer", "-m", str(archive), f"input_file={tmp_path / 'in.txt'}"]
    assert text_main(base + ["-r", str(tmp_path / "ls"), "annotations.format=label_studio"]) == 0
    assert text_main(base + ["-r", str(tmp_path / "pr"), "annotations.format=prodigy"]) == 0
    records = [json.loads(line) for line in (tmp_path / "ls" / "infer_results.jsonl").read_text().splitlines()]
    tasks = json.loads((tmp_path / "ls" / "predictions_label_studio.json").read_text())
    for record, task in zip(records, tasks):
        (region,) = task["predictions"][0]["result"]
        assert region["type"] == "choices" and region["value"]["choices"] == [record["label"]]
        assert (
            region["score"] == pytest.approx(record["confidence"], abs=1e-6) and task["data"]["text"] == record["text"]
        )
    accepted = [json.loads(line) for line in (tmp_path / "pr" / "predictions_prodigy.jsonl").read_text().splitlines()]
    assert [a["accept"] for a in accepted] == [[r["label"]] for r in records]


def test_column_files_whose_first_token_looks_like_json_stay_columns(tmp_path):
    """Found by the property test: auto-detection took a column file starting with "{" for JSON Lines."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.txt").write_text("\n{ O\n[ O\n} O\n\n[] O\n", encoding="utf-8")
    (src / "dev.txt").write_text('[{"a": O\n', encoding="utf-8")
    _, files = _convert(tmp_path, "train.txt", "dev.txt")
    assert files["text_train.txt"] == ["{ [ }", "[]"] and files["text_dev.txt"] == ['[{"a":']
    (src / "bad.jsonl").write_text('\n\n{"text": "no known field"}\n', encoding="utf-8")
    with pytest.raises(ConversionError, match="Prodigy") as error:
        _convert(tmp_path / "x", "bad.jsonl", "dev.txt", src=src)
    assert error.value.line == 3  # the record's own line, after the blank ones
