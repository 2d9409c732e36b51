"""The notebooks under notebooks/ execute top to bottom on the embedded model (small limits).

Each is run in a fresh kernel from a temporary copy, so the committed outputs are not touched.
A cell that raises fails the test with the cell's source and error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.integration


def test_notebooks_are_committed_executed():
    import nbformat

    assert NOTEBOOKS, "no notebooks under notebooks/"
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code and all(c.get("execution_count") for c in code), f"{path.name} has unexecuted cells"
        errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name} was committed with an error output: {errors[0].get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert all(c.get("execution_count") for c in notebook.cells if c.cell_type == "code")
