"""The benchmark scripts skip cleanly without their dataset, and count real-token work correctly."""
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import compare_hf  # noqa: E402
import scaling  # noqa: E402


def test_compare_and_scaling_skip_without_a_dataset(tmp_path, capsys):
    assert compare_hf.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "out")]) == {}
    assert scaling.main(["-m", "x.tcls", "--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")]) == {}
    assert capsys.readouterr().out.count("skipped: no dataset") == 2
    assert not (tmp_path / "out").exists()


def test_forward_flops_count_projections_feed_forward_and_attention():
    config = SimpleNamespace(hidden_size=4, intermediate_size=8, num_hidden_layers=2)
    # one sequence of 3 tokens: 3 * 2 * (4*16 + 2*32) projection/FFN flops + 4 * 9 * 4 attention flops, per layer
    assert compare_hf.forward_gflop([3], config) == 2 * (3 * 2 * 128 + 4 * 9 * 4) / 1e9
    # padding is never counted: two sequences cost the sum of their own lengths' work
    assert compare_hf.forward_gflop([3, 5], config) == compare_hf.forward_gflop([3], config) + compare_hf.forward_gflop([5], config)
