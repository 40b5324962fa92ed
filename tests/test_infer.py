"""infer on a model trained here: every word labelled, offsets that slice back, spans, any input."""
import json

from tokcls.cli import main

TRICKY = ["", "...!?", " ".join(["paris", "and", "john", "smith"] * 1250), "john 😀 visited 東京 and שלום in paris",
          "   leading and trailing spaces   "]


def run_infer(trained, tmp_path, *overrides):
    _, archive, _ = trained
    assert main(["infer", "-r", str(tmp_path), "-m", str(archive), "-k", "key1", *overrides]) == 0
    return [json.loads(line) for line in (tmp_path / "infer_results.jsonl").read_text(encoding="utf-8").splitlines()]


def test_infer_on_a_file_labels_every_word_of_tricky_lines(trained, tmp_path, capsys):
    source = tmp_path / "input.txt"
    source.write_text("\n".join(TRICKY) + "\n", encoding="utf-8")
    results = run_infer(trained, tmp_path, f"input_file={source}", "chunk_lines=2", "model.dataset.max_seq_length=32", "model.dataset.stride=8")
    assert [r["text"] for r in results] == TRICKY
    for r in results:
        assert len(r["words"]) == len(r["labels"]) == len(r["offsets"]) == len(r["confidences"])
        assert all(r["text"][s:e] == w for w, (s, e) in zip(r["words"], r["offsets"]))
    assert results[0]["words"] == [] and results[1]["words"] == [".", ".", ".", "!", "?"]
    long = results[2]
    assert len(long["words"]) == 5000
    assert long["labels"][:4] == ["B-LOC", "O", "B-PER", "I-PER"] and long["labels"][-4:] == ["B-LOC", "O", "B-PER", "I-PER"]
    people = [e for e in long["entities"] if e["type"] == "PER"]
    assert len(people) == 1250 and people[0]["text"] == "john smith" and 0 < people[0]["confidence"] <= 1
    out = capsys.readouterr().out
    assert "Query : john 😀 visited" in out and "paris[B-LOC]" in out


def test_infer_on_input_batch(trained, tmp_path, capsys):
    results = run_infer(trained, tmp_path, "input_batch=[mary visited berlin]")
    assert results[0]["labels"] == ["B-PER", "O", "B-LOC"]
    assert results[0]["entities"][1] == {"type": "LOC", "start": 13, "end": 19, "text": "berlin",
                                         "confidence": results[0]["entities"][1]["confidence"]}
    assert "Result: mary[B-PER] visited berlin[B-LOC]" in capsys.readouterr().out
