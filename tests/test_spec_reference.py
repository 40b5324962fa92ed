"""specs/*.yaml and docs/spec_reference.md are generated from the schema and must stay current."""

import pytest
from omegaconf import OmegaConf

from tests.conftest import REPO
from tokcls.cli import main
from tokcls.commands import SCHEMAS, SPEC_FILES
from tokcls.config.loading import load_spec
from tokcls.config.reference import render_reference, render_yaml

REQUIRED = {
    "dataset_convert": ["source_data_dir=a", "target_data_dir=b"],
    "train": ["data_dir=a"],
    "evaluate": ["data_dir=a"],
    "infer": [],
    "fine-tune": ["data_dir=a"],
    "export": [],
    "tune": ["data_dir=a"],
    "serve": [],
}
REGENERATE = (
    "regenerate: token_classification download_specs -r /tmp/specs_log -o specs overwrite=true && "
    "python -m tokcls.commands > docs/spec_reference.md"
)


@pytest.mark.parametrize("command", SPEC_FILES)
def test_shipped_spec_is_current_and_loads_to_the_defaults(command):
    path = REPO / "specs" / f"{command}.yaml"
    assert path.read_text() == render_yaml(SCHEMAS[command]), REGENERATE
    from_file = load_spec(SCHEMAS[command], path, REQUIRED[command])
    assert OmegaConf.to_container(from_file) == OmegaConf.to_container(
        load_spec(SCHEMAS[command], None, REQUIRED[command])
    )


def test_spec_reference_is_current():
    assert (REPO / "docs" / "spec_reference.md").read_text() == render_reference(SCHEMAS), REGENERATE


def test_every_key_has_a_description():
    for line in render_reference(SCHEMAS).splitlines():
        if line.startswith("| `"):
            assert not line.rstrip().endswith("|  |"), line


def test_download_specs_writes_every_spec(tmp_path):
    assert main(["download_specs", "-r", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.yaml") if p.name != "download_specs_spec.yaml") == sorted(
        f"{c}.yaml" for c in SPEC_FILES
    )


def test_download_specs_takes_taos_output_flag(tmp_path):
    assert main(["download_specs", "-r", str(tmp_path / "logs"), "-o", str(tmp_path / "specs")]) == 0
    assert sorted(p.name for p in (tmp_path / "specs").iterdir()) == sorted(f"{c}.yaml" for c in SPEC_FILES)
