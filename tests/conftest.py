import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `make test` runs the "ci" profile (1,000 examples per property); HYPOTHESIS_PROFILE=long runs 10,000.
settings.register_profile("ci", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TOKCLS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


def write_columns(path: Path, sentences, sep=" ", newline="\n", bom=False) -> Path:
    """A column file from [[(token, tag), ...], ...] with one blank line after each sentence."""
    lines = []
    for sentence in sentences:
        lines += [sep.join(fields) for fields in sentence] + [""]
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path
