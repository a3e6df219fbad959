"""Importing the shipped ESCO folders: exact rows, idempotence, bad input, obsolete concepts."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from plugins.esco.demo import DATA
from plugins.esco.models import Concept, ImportLog

# Rows each shipped folder gives on an empty database.  v1.1.1/en: 300 skills + 156 groups +
# 9 occupations = 465 concepts; 96+30+51+26+6+13 collection rows; 82 occupation-skill links.
# Folders without a concept file get the concepts their relations name (v1.1.1/fr ...).
SHIPPED = {
    "v1.0.x/en-us": {
        "esco_concepts": 247,
        "labels": 316,
        "label_words": 1156,
        "descriptions": 246,
        "broader": 0,
        "closure": 247,
        "collection_members": 0,
        "occupation_skills": 0,
    },
    "v1.0.x/es": {
        "esco_concepts": 247,
        "labels": 518,
        "label_words": 2792,
        "descriptions": 0,
        "broader": 0,
        "closure": 247,
        "collection_members": 0,
        "occupation_skills": 0,
    },
    "v1.0.x/fr": {
        "esco_concepts": 247,
        "labels": 323,
        "label_words": 1681,
        "descriptions": 0,
        "broader": 0,
        "closure": 247,
        "collection_members": 0,
        "occupation_skills": 0,
    },
    "v1.0.x/nl": {
        "esco_concepts": 329,
        "labels": 476,
        "label_words": 1746,
        "descriptions": 16,
        "broader": 422,
        "closure": 1454,
        "collection_members": 158,
        "occupation_skills": 0,
    },
    "v1.1.1/en": {
        "esco_concepts": 465,
        "labels": 3609,
        "label_words": 12277,
        "descriptions": 448,
        "broader": 568,
        "closure": 2385,
        "collection_members": 222,
        "occupation_skills": 82,
    },
    "v1.1.1/fr": {
        "esco_concepts": 337,
        "labels": 372,
        "label_words": 1906,
        "descriptions": 30,
        "broader": 374,
        "closure": 1483,
        "collection_members": 222,
        "occupation_skills": 0,
    },
    "v1.2.0/en": {
        "esco_concepts": 453,
        "labels": 1905,
        "label_words": 6303,
        "descriptions": 139,
        "broader": 566,
        "closure": 2344,
        "collection_members": 217,
        "occupation_skills": 0,
    },
}


def _tables(expected: dict) -> dict:
    return {
        name if name.startswith("esco_") else "esco_" + name: count
        for name, count in expected.items()
    }


@pytest.mark.parametrize("folder", sorted(SHIPPED))
def test_import_of_each_shipped_folder_gives_exact_rows(esco, folder):
    esco.load(folder)
    assert esco.counts() == _tables(SHIPPED[folder])


def test_reimport_changes_nothing(esco):
    esco.load("v1.1.1/en", "v1.1.1/fr")
    before = esco.counts()
    esco.load("v1.1.1/en", "v1.1.1/fr")
    assert esco.counts() == before


def test_import_records_version_languages_and_counts(esco):
    esco.load("v1.1.1/fr")
    with esco.session() as session:
        log = session.scalars(select(ImportLog)).one()
    assert (log.version, log.languages) == ("1.1.1", ["fr"])
    assert log.counts["skillGroups"] == 156 and log.finished_at is not None


def test_cli_import_then_search(run_col, registry):
    result = run_col("esco", "import", str(DATA / "v1.1.1" / "en"), "--languages", "en")
    assert result.exit_code == 0, result.output
    assert "Imported ESCO 1.1.1" in result.output
    assert "European Commission" in result.output
    found = run_col("esco", "search", "creative mind", "--language", "en", "--json")
    assert '"uri":"http://data.europa.eu/esco/skill/c624c6a3' in found.output


def test_corrupt_file_fails_naming_file_and_line_and_keeps_data(run_col, esco, tmp_path):
    esco.load("v1.1.1/en")
    before = esco.counts()
    folder = tmp_path / "v1.1.1" / "en"
    shutil.copytree(DATA / "v1.1.1" / "en", folder)
    relations = folder / "occupationSkillRelations.csv"
    lines = relations.read_bytes().split(b"\r\n")
    lines[5] = lines[5].replace(b"http://data.europa.eu/esco/skill/", b"not-a-uri/", 1)
    relations.write_bytes(b"\r\n".join(lines))
    result = run_col("esco", "import", str(folder))
    assert result.exit_code != 0
    assert "occupationSkillRelations.csv, line 6" in result.output
    assert "existing data is unchanged" in result.output
    assert esco.counts() == before


def test_cli_refuses_a_folder_without_esco_files(run_col, tmp_path):
    (tmp_path / "notes.csv").write_text("name,value\r\na,b\r\n")
    result = run_col("esco", "import", str(tmp_path), "--version", "1.1.1")
    assert result.exit_code != 0
    assert "notes.csv, line 1: unknown header" in result.output


def test_newer_import_marks_missing_concepts_obsolete_and_keeps_them(esco, tmp_path):
    esco.load("v1.1.1/en")
    newer = tmp_path / "v1.2.0"
    newer.mkdir()
    skills = (DATA / "v1.1.1" / "en" / "skills_en.csv").read_bytes().split(b"\r\n")
    kept = [line for line in skills if b"c624c6a3" not in line]
    (newer / "skills_en.csv").write_bytes(b"\r\n".join(kept))
    esco.load(str(newer))
    with esco.session() as session:
        gone = session.get(
            Concept, "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
        )
        listen = session.get(
            Concept, "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
        )
    assert gone is not None and gone.obsolete and gone.version == "1.1.1"
    assert not listen.obsolete and listen.version == "1.2.0"
