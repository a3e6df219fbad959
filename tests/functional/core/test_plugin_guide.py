"""docs/plugins.md's worked example, built from the guide's own code blocks and used as the guide
says: installed beside the platform, its migration generated with `col db revision`, its tests
run with the platform's pytest plugin, its command run with `col`.  It has no translations yet
(no ``locale/`` folder), as a plugin on its first day."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "plugins.md"
BIN = Path(sys.executable).parent
# A heading that names a file, then that file's one code block.
FILE_BLOCK = re.compile(r"^### `([^`]+)`\n(?:(?!#|```).*\n)*?```\w*\n((?:.*\n)*?)```$", re.M)


def guide_files() -> dict[str, str]:
    example = GUIDE.read_text()
    example = example[example.index("## A complete worked example") :]
    example = example[: example.index("\n## ", 1)]
    return {name: code for name, code in FILE_BLOCK.findall(example)}


def build_plugin(root: Path) -> Path:
    """The guide's files in a project folder; the package importable and its entry point
    registered, as `pip install -e .` of the guide's pyproject.toml would."""
    files = guide_files()
    project = tomllib.loads(files.pop("pyproject.toml"))["project"]
    for name, code in files.items():
        path = root / (name if name.startswith("tests/") else f"col_opening_hours/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
    entry_points = project["entry-points"]["col.plugins"]
    dist_info = root / f"col_opening_hours-{project['version']}.dist-info"
    dist_info.mkdir()
    dist_info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    dist_info.joinpath("entry_points.txt").write_text(
        "[col.plugins]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    )
    return root


def run(command: list[str], root: Path, environment: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=root, env=environment, capture_output=True, text=True, timeout=600
    )


def test_the_worked_example_runs_as_written(tmp_path):
    files = guide_files()
    assert {"__init__.py", "models.py", "hooks.py", "cli.py"} <= set(files)
    assert "templates/section.jinja2" in files  # hooks.py renders it
    root = build_plugin(tmp_path / "col-opening-hours")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("COL_")},
        "PYTHONPATH": str(root),
        "COL_DATA_DIR": str(tmp_path / "data"),
    }
    if os.environ.get("COL_TEST_DATABASE_URL"):
        environment["COL_TEST_DATABASE_URL"] = os.environ["COL_TEST_DATABASE_URL"]
    col = [str(BIN / "col")]

    # Migrations, as the guide's "Migrations" section says, on a development database.
    for step in (["db", "upgrade"], ["db", "revision", "--package", "hours", "-m", "venues"]):
        done = run(col + step, root, environment)
        assert done.returncode == 0, done.stdout + done.stderr
    [revision] = (root / "col_opening_hours" / "migrations" / "versions").glob("*_venues.py")
    text = revision.read_text()
    assert "branch_labels = ('hours',)" in text and "depends_on = '" in text
    assert "hours_venues" in text
    for step in (["db", "upgrade"], ["db", "check"], ["hours", "--help"], ["--help"]):
        done = run(col + step, root, environment)
        assert done.returncode == 0, done.stdout + done.stderr

    # The guide's tests, with the platform's pytest plugin, on the suite's kind of database.
    tests = run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "tests"],
        root,
        environment,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-4000:]
    assert "4 passed" in tests.stdout
