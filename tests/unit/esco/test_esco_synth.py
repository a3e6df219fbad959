"""The synthetic ESCO download generator (benchmarks/esco_synth.py), at a
small scale: same format traps as the real files, deterministic, and read
back by the reader with the counts the generator reports."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from plugins.esco.reader import FileKind, Skill, iter_records, scan_download

# Loaded by path: benchmarks/ may not be an importable package in every
# environment (it is run as ``python -m benchmarks NAME``).
_PATH = Path(__file__).resolve().parents[3] / "benchmarks" / "esco_synth.py"
_spec = importlib.util.spec_from_file_location("_esco_synth_under_test", _PATH)
esco_synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = esco_synth
_spec.loader.exec_module(esco_synth)


def _digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.csv")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_small_download_reads_back(tmp_path):
    counts = esco_synth.generate(tmp_path / "a", scale=0.02, seed=7)
    report = scan_download(tmp_path / "a")
    assert report.version == "1.1.1" and report.languages == ("de", "en")
    assert report.warnings == ()
    got = {f"{f.path.parent.name}/{f.name}": f.rows for f in report.files}
    assert got == counts
    kinds = {f.kind for f in report.files}
    assert {
        FileKind.SKILLS,
        FileKind.OCCUPATION_SKILL,
        FileKind.OCCUPATION_BROADER,
        FileKind.ISCO_GROUPS,
        FileKind.SKILLS_HIERARCHY,
        FileKind.SKILL_COLLECTION,
    } <= kinds
    assert sum(1 for _ in iter_records(tmp_path / "a")) == sum(counts.values())

    skills = tmp_path / "a" / "ESCO dataset - v1.1.1 - classification - de - csv" / "skills_de.csv"
    data = skills.read_bytes()
    records = data.count(b"\r\n")
    assert records == counts[f"{skills.parent.name}/skills_de.csv"] + 1
    assert data.count(b"\n") > records  # bare LF inside quoted fields
    de = [r for r in iter_records(skills)]
    assert all(isinstance(r, Skill) and r.language == "de" for r in de)
    assert any(len(r.alt_labels) > 3 for r in de)
    assert any(ch in "".join(r.preferred_label for r in de) for ch in "äöüß")


def test_same_seed_same_bytes(tmp_path):
    esco_synth.generate(tmp_path / "a", scale=0.01, seed=3)
    esco_synth.generate(tmp_path / "b", scale=0.01, seed=3)
    esco_synth.generate(tmp_path / "c", scale=0.01, seed=4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
