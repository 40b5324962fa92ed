"""The closing table of evaluate and of train's test split, in the shape of Lightning's test summary."""

from __future__ import annotations


def format_summary(summary: dict, source: str, notes: dict[str, str] | None = None) -> str:
    """The closing table, in the shape of Lightning's test summary that NeMo prints; `notes`: a line printed under the
    table for each of its metrics that needs one (Task.summary_notes)."""
    # losses and correlations in [-1, 1] with 4 decimals; scores in % with 2
    exact = ("test_loss", "pearson", "spearman", "mse")
    rows = [
        f"  {name:<18}{value:>12.4f}" if name in exact else f"  {name:<18}{value:>12.2f}"
        for name, value in summary.items()
        if value is not None
    ]
    rows += [f"  ({note})" for name, note in (notes or {}).items() if name in summary]
    return f"Test summary ({source}):\n" + "\n".join(rows)
