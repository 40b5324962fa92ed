"""Dataset statistics: what `dataset_convert` prints and saves as dataset_stats.json."""

from __future__ import annotations

import math
from collections import Counter


def percentile(sorted_values: list[int], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    position = (len(sorted_values) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def length_stats(lengths: list[int]) -> dict[str, float]:
    ordered = sorted(lengths)
    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": round(sum(ordered) / len(ordered), 2),
        "median": percentile(ordered, 50),
        "p75": percentile(ordered, 75),
        "p99": round(percentile(ordered, 99), 2),
    }


def label_counts(counts: Counter, order: list[str]) -> dict[str, dict[str, float]]:
    total = sum(counts.values())
    return {
        label: {"count": counts[label], "percent": round(100 * counts[label] / total, 2)}
        for label in order
        if counts[label]
    }


def format_stats(stats: dict, max_labels: int = 25) -> str:
    """A plain-text report of dataset_stats.json, one block per split."""
    scheme = stats["scheme"]
    lines = [
        f"Tagging scheme: detected {scheme['detected']}, written as {scheme['written']}",
        f"Labels: {len(stats['labels'])} in label_ids.csv",
    ]
    if stats["unseen_labels"]:
        listed = ", ".join(f"{label} ({', '.join(splits)})" for label, splits in stats["unseen_labels"].items())
        lines.append(f"Labels absent from train, added because allow_unseen_labels=true: {listed}")
    for split, s in stats["splits"].items():
        length = s["length"]
        lines += [
            "",
            f"[{split}] {s['source']}",
            f"  sentences {s['sentences']:,}  words {s['words']:,}  documents {s['documents']:,}",
            "  sentence length in words: " + "  ".join(f"{key} {value:g}" for key, value in length.items()),
            f"  invalid transitions ({scheme['detected']}): {s['invalid_transitions']:,}"
            f"  tags changed by conversion: {s['tags_changed']:,}",
        ]
        lines += annotation_report(s.get("annotations"))
        if s.get("entities_merged"):
            lines.append(f"  adjacent same-type entities merged by IO tagging: {s['entities_merged']:,}")
        by_count = sorted(s["labels"].items(), key=lambda item: -item[1]["count"])
        width = max(len(label) for label, _ in by_count[:max_labels])
        for label, c in by_count[:max_labels]:
            lines.append(f"    {label:<{width}}  {c['count']:>10,}  {c['percent']:6.2f}%")
        if len(by_count) > max_labels:
            lines.append(f"    ... {len(by_count) - max_labels} more labels in dataset_stats.json")
    return "\n".join(lines)


def annotation_report(report: dict | None) -> list[str]:
    """What reading an annotation tool's export changed or left out (conversion/annotations/), with examples."""
    if not report:
        return []
    lines = []
    kinds = [
        ("snapped_to_words", "spans snapped to whole words (boundary=snap)"),
        ("overlaps_dropped_from_iob", "overlapping spans left out of the IOB labels (kept in spans_<split>.jsonl)"),
        ("discontinuous", "discontinuous spans skipped"),
        ("skipped_records", "records skipped"),
    ]
    for key, title in kinds:
        if report.get(key):
            listed = ", ".join(f"{label} {n:,}" for label, n in sorted(report[key].items()))
            lines.append(f"  {title}: {listed}")
    if report.get("utf16_offsets_converted"):
        lines.append(f"  spans with UTF-16 offsets converted to characters: {report['utf16_offsets_converted']:,}")
    for examples in report.get("examples", {}).values():
        lines += [f"    e.g. {example}" for example in examples[:3]]
    return lines
