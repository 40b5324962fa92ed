import pytest

from tokcls.cli import main


@pytest.fixture(scope="module")
def evaluated(trained):
    """The results folder of evaluate on the `trained` model's test split."""
    data_dir, archive, root = trained
    results = root / "report_eval"
    if not (results / "report.html").exists():
        assert main(["evaluate", "-r", str(results), "-m", str(archive), "-k", "key1", f"data_dir={data_dir}"]) == 0
    return results
