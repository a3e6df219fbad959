"""The ESCO extract shipped in plugins/esco/data, read by the reader.

Row counts come from MANIFEST.json, and a handful are also written out by hand
so that a broken manifest cannot hide a reader bug.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import json
from pathlib import Path

import pytest

from plugins.esco.reader import (
    CollectionMember,
    FileKind,
    HierarchyRow,
    Skill,
    identify_file,
    iter_file,
    iter_records,
    plan,
    scan_download,
    scan_folder,
)

DATA = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
MANIFEST = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
FOLDERS = [
    "v1.0.x/en-us",
    "v1.0.x/es",
    "v1.0.x/fr",
    "v1.0.x/nl",
    "v1.1.1/en",
    "v1.1.1/fr",
    "v1.2.0/en",
]

SHOW_INITIATIVE = "http://data.europa.eu/esco/skill/001115fb-569f-4ee6-8381-c6807ef2527f"


def test_attribution_travels_with_the_data():
    notice = (DATA / "NOTICE.txt").read_text(encoding="utf-8")
    assert "This service uses the ESCO classification of the European Commission." in notice
    assert "2011/833/EU" in notice
    assert "filtered subset" in notice
    assert "© European Union" in notice
    assert "This service uses the ESCO classification" in (DATA / "README.md").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["path"])
def test_bytes_are_identical_to_the_manifest(entry):
    data = (DATA / entry["path"]).read_bytes()
    assert len(data) == entry["bytes"]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_manifest_covers_every_shipped_esco_file():
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.glob("v*/*/*.csv")}
    assert on_disk == {e["path"] for e in MANIFEST}
    assert len(on_disk) == 43  # 42 from the shared extract, one German collection file


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["path"])
def test_every_file_is_read_with_the_manifest_row_count(entry):
    path = DATA / entry["path"]
    info = identify_file(path)
    assert list(info.columns) == entry["columns"]
    assert info.extra_columns == ()
    assert sum(1 for _ in iter_file(path)) == entry["rows"]


# Written by hand from the README's table, independently of MANIFEST.json.
HAND_COUNTS = {
    "v1.1.1/en/skills_en.csv": (FileKind.SKILLS, 300),
    "v1.1.1/en/skillGroups_en.csv": (FileKind.SKILL_GROUPS, 156),
    "v1.1.1/en/skillsHierarchy_en.csv": (FileKind.SKILLS_HIERARCHY, 156),
    "v1.1.1/en/transversalSkillsCollection_en.csv": (FileKind.SKILL_COLLECTION, 96),
    "v1.1.1/en/broaderRelationsSkillPillar.csv": (FileKind.SKILL_BROADER, 568),
    "v1.1.1/en/skillSkillRelations.csv": (FileKind.SKILL_SKILL, 6),
    "v1.1.1/en/occupations_en.csv": (FileKind.OCCUPATIONS, 9),
    "v1.1.1/en/occupationSkillRelations.csv": (FileKind.OCCUPATION_SKILL, 82),
    "v1.2.0/en/transversalSkillsCollection_en.csv": (FileKind.SKILL_COLLECTION, 95),
    "v1.2.0/en/broaderRelationsSkillPillar_en.csv": (FileKind.SKILL_BROADER, 566),
    "v1.1.1/fr/transversalSkillsCollection_fr.csv": (FileKind.SKILL_COLLECTION, 96),
    "v1.0.x/nl/transversalSkillsCollection_nl.csv": (FileKind.SKILL_COLLECTION, 107),
    "v1.0.x/nl/ictSkillsCollection_nl.csv": (FileKind.SKILL_COLLECTION, 21),
    "v1.0.x/nl/skillGroups_nl.csv": (FileKind.SKILL_GROUPS, 192),
    "v1.0.x/nl/skillsHierarchy_nl.csv": (FileKind.SKILLS_HIERARCHY, 175),
    "v1.0.x/es/skills_es.csv": (FileKind.SKILLS, 230),
    "v1.0.x/en-us/skills_en-us.csv": (FileKind.SKILLS, 230),
    "v1.0.x/fr/skillGroups_fr.csv": (FileKind.SKILL_GROUPS, 17),
}


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_hand_written_row_counts(name):
    kind, rows = HAND_COUNTS[name]
    report = scan_folder((DATA / name).parent)
    (file,) = [f for f in report.files if f.name == Path(name).name]
    assert (file.kind, file.rows) == (kind, rows)


@pytest.mark.parametrize(
    "folder, version, languages, total, files",
    [
        ("v1.0.x/en-us", "1.0.x", ("en", "en-US"), 247, 2),
        ("v1.0.x/es", "1.0.x", ("es",), 247, 2),
        ("v1.0.x/fr", "1.0.x", ("fr",), 247, 2),
        ("v1.0.x/nl", "1.0.x", ("nl",), 525, 5),
        ("v1.1.1/en", "1.1.1", ("en",), 1499, 13),
        ("v1.1.1/fr", "1.1.1", ("fr",), 534, 8),
        ("v1.2.0/en", "1.2.0", ("en",), 1101, 10),
    ],
)
def test_scan_every_shipped_folder(folder, version, languages, total, files):
    report = scan_folder(DATA / folder)
    assert report.version == version
    assert report.version_source == "folder name"
    assert report.languages == languages
    assert report.total_rows == total
    assert len(report.files) == files
    assert report.warnings == ()
    assert all(f.ends_with_newline and f.warnings == () for f in report.files)
    manifest_rows = {
        Path(e["path"]).name: e["rows"] for e in MANIFEST if e["path"].startswith(folder + "/")
    }
    assert report.rows_by_file() == manifest_rows


@pytest.mark.parametrize(
    "folder, expected",
    [
        ("v1.0.x/nl", "1.0.x"),
        ("v1.0.x/es", "1.0.x"),
        ("v1.1.1/en", "1.1.x"),
        ("v1.2.0/en", "1.2.x"),
    ],
)
def test_version_from_content_when_the_folder_name_says_nothing(tmp_path, folder, expected):
    target = tmp_path / "unnamed"
    target.mkdir()
    for p in (DATA / folder).iterdir():
        (target / p.name).write_bytes(p.read_bytes())
    report = scan_folder(target)
    assert (report.version, report.version_source) == (expected, "content")
    assert report.version_evidence


def test_download_root_per_version():
    for version, folders in (("1.0.x", 4), ("1.1.1", 2), ("1.2.0", 1)):
        report = scan_download(DATA / f"v{version}")
        assert report.version == version
        assert len(report.folders) == folders


def test_labels_split_the_same_from_lines_and_from_pipes():
    """skills_en.csv separates labels with new lines, the collection files
    with " | ": both must give the same labels for every collection member."""
    folder = DATA / "v1.1.1/en"
    skills = {s.uri: s for s in iter_records(folder, kinds=["skills"])}
    members = list(iter_records(folder, kinds=[FileKind.SKILL_COLLECTION]))
    assert len(members) == 96 + 30 + 51 + 26 + 6 + 13
    for m in members:
        s = skills[m.uri]
        assert set(m.alt_labels) == set(s.alt_labels), m.preferred_label
        assert (m.preferred_label, m.skill_type, m.reuse_level) == (
            s.preferred_label,
            s.skill_type,
            s.reuse_level,
        )
    show = skills[SHOW_INITIATIVE]
    assert show.alt_labels[:3] == ("take the initiative", "give impetus", "be a driving force")
    assert len(show.alt_labels) == 7
    assert "great initiative" in show.hidden_labels
    assert show.in_scheme[0] == "http://data.europa.eu/esco/concept-scheme/skills"
    assert show.modified.year == 2021 and show.modified.tzinfo is not None
    assert show.description.startswith("Be proactive")


def test_collections_have_names_and_both_column_orders():
    members = list(iter_records(DATA / "v1.1.1/en", kinds=["skillsCollection"]))
    counts = collections.Counter(m.collection for m in members)
    assert counts == {
        "transversal": 96,
        "language": 30,
        "digital": 51,
        "digComp": 26,
        "green": 6,
        "research": 13,
    }
    # transversal puts skillType before preferredLabel, digComp after it.
    assert (
        identify_file(DATA / "v1.1.1/en/transversalSkillsCollection_en.csv").columns[2]
        == "skillType"
    )
    assert (
        identify_file(DATA / "v1.1.1/en/digCompSkillsCollection_en.csv").columns[2]
        == "preferredLabel"
    )
    assert {m.skill_type for m in members} == {"skill/competence", "knowledge", None}
    # Some DigComp members have no skillType at all: it must stay None, not "".
    assert any(m.skill_type is None for m in members if m.collection == "digComp")
    ict = list(iter_records(DATA / "v1.0.x/nl", kinds=["skillsCollection"]))
    tech = next(m for m in ict if m.collection == "ict")
    assert tech.broader_uris == (
        "http://data.europa.eu/esco/skill/S5.2.3",
        "http://data.europa.eu/esco/skill/7e5147d1-60b1-4a68-804b-1f5cb0396b91",
    )
    assert tech.status is None  # no status column before 1.1


def test_accents_and_typographic_apostrophes_are_preserved():
    fr = {s.uri: s for s in iter_records(DATA / "v1.0.x/fr", kinds=["skills"])}
    es = {s.uri: s for s in iter_records(DATA / "v1.0.x/es", kinds=["skills"])}
    advice = "http://data.europa.eu/esco/skill/045f71e6-0699-4169-8a54-9c6b96f3174d"
    assert fr[advice].alt_labels == ("guider les autres", "donner des conseils")
    assert es[advice].alt_labels == ("dar consejo a los demás",)
    assert fr[advice].language == "fr"
    fr111 = [
        m
        for m in iter_records(DATA / "v1.1.1/fr", kinds=["skillsCollection"])
        if m.uri == SHOW_INITIATIVE and m.collection == "transversal"
    ]
    assert fr111[0].preferred_label == "faire preuve d\u2019initiative"
    assert fr111[0].description.startswith("\u00catre proactif")


def test_hierarchy_rows_are_short_in_the_real_files():
    rows = list(iter_records(DATA / "v1.1.1/en", kinds=["skillsHierarchy"]))
    assert collections.Counter(len(r.levels) for r in rows) == {1: 4, 2: 19, 3: 65, 4: 68}
    roots = {r.levels[0].code: r.levels[0].uri for r in rows}
    assert sorted(roots) == ["K", "L", "S", "T"]
    assert roots["T"] == "http://data.europa.eu/esco/skill/04a13491-b58c-4d33-8b59-8fad0d55fe9e"
    t4 = next(r for r in rows if r.code == "T4.1")
    assert t4.levels[-1].label == "communicating" and t4.depth == 2
    assert t4.parent_uri == "http://data.europa.eu/esco/skill/552c4f35-a2d1-49c2-8fda-afe26695c44a"
    old = {r.levels[0].code for r in iter_records(DATA / "v1.0.x/nl", kinds=["skillsHierarchy"])}
    assert old == {"S", "A", "K", "L"}  # 1.0 had no T pillar


def test_relations_and_occupations():
    folder = DATA / "v1.1.1/en"
    occ = list(iter_records(folder, kinds=["occupations"]))
    youth = next(o for o in occ if o.preferred_label == "youth information worker")
    assert youth.isco_group == "2635" and youth.code == "2635.3.27.1"
    assert "youth agent" in youth.alt_labels
    rel = list(iter_records(folder, kinds=["occupationSkillRelations"]))
    assert {x.relation_type for x in rel} <= {"essential", "optional"}
    assert rel[0].language is None  # 1.1.1 relation files have no language suffix
    broader = list(iter_records(folder, kinds=["broaderRelationsSkillPillar"]))
    assert {b.pillar for b in broader} == {"skill"}
    assert {b.concept_type for b in broader} == {"SkillGroup", "KnowledgeSkillCompetence"}


def test_import_order_and_language_independent_relations_read_once():
    files = plan(DATA / "v1.1.1")
    kinds = [f.kind for f in files]
    assert kinds.index(FileKind.SKILLS) < kinds.index(FileKind.SKILL_BROADER)
    assert kinds[-1] is FileKind.OCCUPATION_SKILL
    en_first = [
        f.language for f in plan(DATA / "v1.1.1", kinds=["skillGroups"], languages=["fr", "en"])
    ]
    assert en_first == ["fr", "en"]
    only_fr = list(iter_records(DATA / "v1.1.1", languages=["fr"]))
    # fr has no relation files of its own; the language-less 1.1.1 relations are shared.
    assert sum(isinstance(r, Skill) for r in only_fr) == 0
    assert sum(isinstance(r, CollectionMember) for r in only_fr) == 222
    assert sum(isinstance(r, HierarchyRow) for r in only_fr) == 156
    assert len(only_fr) == 534 + 568 + 6 + 82


def test_en_matches_en_us_and_language_can_be_forced():
    langs = {r.language for r in iter_records(DATA / "v1.0.x/en-us", languages=["en"])}
    assert langs == {"en", "en-US"}
    forced = {r.language for r in iter_records(DATA / "v1.0.x/en-us", language="en-GB")}
    assert forced == {"en-GB"}


def test_derived_seed_terms_file_is_not_an_esco_file():
    with open(DATA / "derived/seed_terms_to_esco.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14
    uris = {s.uri for s in iter_records(DATA / "v1.1.1/en", kinds=["skills", "skillGroups"])}
    assert all(r["conceptUri"] in uris for r in rows if r["preferredLabel_en_v1.1.1"])
