"""Ray Data over tokcls.scale_out.Labeller (a local Ray instance, 2 CPUs): the records equal infer's."""

import json

import pytest

from tests.test_shards import _lines
from tokcls.cli import main

ray = pytest.importorskip("ray", reason="Ray is an optional extra (tokcls[ray])")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_map_batches_over_the_labeller_equals_infer(trained, tmp_path, local_ray):
    from tokcls import scale_out

    _, archive, _ = trained
    texts = _lines(70).splitlines() + ["", "john 😀 visited 東京"]
    (tmp_path / "in.txt").write_text("".join(t + "\n" for t in texts))
    assert (
        main(
            [
                "infer",
                "-r",
                str(tmp_path / "infer"),
                "-m",
                str(archive),
                "-k",
                "key1",
                f"input_file={tmp_path / 'in.txt'}",
            ]
        )
        == 0
    )
    expected = [json.loads(line) for line in (tmp_path / "infer" / "infer_results.jsonl").read_text().splitlines()]

    (tmp_path / "in.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    argv = [
        str(archive),
        str(tmp_path / "in.jsonl"),
        str(tmp_path / "out.jsonl"),
        "-k",
        "key1",
        "--batch-size",
        "16",
        "--workers",
        "2",  # the two actors hold both CPUs of the local instance: reading must still go on (it asks for none)
    ]
    assert scale_out.main(argv) == 0
    got = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert got == expected

    ds = local_ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts[:5])])
    rows = scale_out.label(ds, str(archive), "key1", 1, 2, 1, "text").take_all()
    assert [r["id"] for r in rows] == list(range(5)) and [json.loads(r["record"]) for r in rows] == expected[:5]


def test_a_missing_column_is_named(trained, tmp_path, local_ray, capsys):
    from tokcls import scale_out

    _, archive, _ = trained
    (tmp_path / "in.jsonl").write_text('{"sentence": "paris ."}\n')
    argv = [str(archive), str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), "-k", "key1", "--workers", "1"]
    assert scale_out.main(argv) == 2
    assert "no column 'text' (it has 'sentence')" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()
