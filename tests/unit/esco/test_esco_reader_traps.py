"""The traps of the ESCO CSV format, each in a small file written to tmp_path."""

from __future__ import annotations

import csv

import pytest

from plugins.esco.reader import (
    BadRowLengthError,
    BadValueError,
    CollectionMember,
    FileKind,
    MalformedCSVError,
    MalformedURIError,
    MissingColumnError,
    NotAnEscoFolderError,
    OccupationSkillRelation,
    UnknownHeaderError,
    batched,
    detect_language,
    identify_file,
    iter_file,
    iter_records,
    scan_download,
    scan_folder,
    version_from_path,
)

SKILLS_HEADER = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,"
    "status,modifiedDate,scopeNote,definition,inScheme,description"
)
U = "http://data.europa.eu/esco/skill/"


def skill_row(n: int, alt: str = "", description: str = "A skill.") -> str:
    return (
        f"KnowledgeSkillCompetence,{U}{n:08d},skill/competence,transversal,skill {n},"
        f'"{alt}",,released,2022-08-25T12:53:49.834Z,,,"http://data.europa.eu/esco/concept-scheme/skills,\n'
        f'http://data.europa.eu/esco/concept-scheme/member-skills","{description}"'
    )


def write(
    path, header: str, records: list[str], eol: str = "\r\n", bom: bool = False, tail: bool = True
):
    """Write records joined by ``eol``: the ESCO zip uses CRLF between records
    while quoted fields keep their bare LF."""
    text = eol.join([header, *records]) + (eol if tail else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# ------------------------------------------------------------------ labels


def test_labels_one_per_line_inside_quotes(tmp_path):
    f = write(
        tmp_path / "skills_en.csv",
        SKILLS_HEADER,
        [skill_row(1, alt="work in a team\nteamwork\ncooperate\n")],
    )
    (skill,) = iter_file(f)
    assert skill.alt_labels == ("work in a team", "teamwork", "cooperate")
    assert skill.in_scheme == (
        "http://data.europa.eu/esco/concept-scheme/skills",
        "http://data.europa.eu/esco/concept-scheme/member-skills",
    )


def test_crlf_records_with_bare_lf_inside_fields(tmp_path):
    rows = [skill_row(i, alt="a\nb", description=f"line one\nline two {i}") for i in range(5)]
    f = write(tmp_path / "skills_en.csv", SKILLS_HEADER, rows, eol="\r\n")
    data = f.read_bytes()
    assert data.count(b"\r\n") == 6 and data.count(b"\n") > 6 + 5
    skills = list(iter_file(f))
    assert len(skills) == 5
    assert skills[4].description == "line one\nline two 4"
    assert all(s.alt_labels == ("a", "b") for s in skills)


def test_lf_everywhere_and_crlf_everywhere_read_the_same(tmp_path):
    rows = [skill_row(i, alt="a\nb") for i in range(3)]
    lf = list(iter_file(write(tmp_path / "lf" / "skills_en.csv", SKILLS_HEADER, rows, eol="\n")))
    crlf_inside = [r.replace("\n", "\r\n") for r in rows]  # a copy that went through unix2dos
    dos = list(iter_file(write(tmp_path / "dos" / "skills_en.csv", SKILLS_HEADER, crlf_inside)))
    assert [s.alt_labels for s in lf] == [s.alt_labels for s in dos] == [("a", "b")] * 3


def test_line_numbers_count_physical_lines_of_multiline_records(tmp_path):
    rows = [skill_row(1, alt="a\nb\nc"), skill_row(2, alt="d\ne"), "KnowledgeSkillCompetence,x"]
    f = write(tmp_path / "skills_en.csv", SKILLS_HEADER, rows)
    with pytest.raises(BadRowLengthError) as err:
        list(iter_file(f))
    # header 1; record 1 spans lines 2-5 (2 breaks in altLabels, 1 in inScheme);
    # record 2 spans 6-8; the short record starts on line 9.
    assert err.value.line == 9
    assert "skills_en.csv, line 9" in str(err.value)
    assert "2 field(s) but the header has 13" in str(err.value)


# ------------------------------------------------------------- big fields


def test_a_200kb_field_is_read_without_touching_the_global_limit(tmp_path):
    big = "x" * 200_000
    assert csv.field_size_limit() < len(big)  # the stdlib default would refuse it
    f = write(
        tmp_path / "skills_en.csv", SKILLS_HEADER, [skill_row(1, description=big), skill_row(2)]
    )
    before = csv.field_size_limit()
    records = iter_file(f)
    first = next(records)
    assert len(first.description) == 200_000
    # While our generator is suspended, the rest of the process sees its own limit.
    assert csv.field_size_limit() == before
    assert len(list(records)) == 1
    assert csv.field_size_limit() == before


def test_field_over_the_limit_is_an_error_naming_the_line(tmp_path):
    f = write(
        tmp_path / "skills_en.csv",
        SKILLS_HEADER,
        [skill_row(1), skill_row(2, description="y" * 5000)],
    )
    before = csv.field_size_limit()
    with pytest.raises(MalformedCSVError) as err:
        list(iter_file(f, max_field_size=1000))
    assert err.value.line == 4 and "larger than 1000" in str(err.value)
    assert csv.field_size_limit() == before


# ------------------------------------------------------------------ BOM


def test_bom_is_stripped_from_the_first_column(tmp_path):
    f = write(tmp_path / "skills_en.csv", SKILLS_HEADER, [skill_row(1)], bom=True)
    info = identify_file(f)
    assert info.columns[0] == "conceptType" and info.kind is FileKind.SKILLS
    (skill,) = iter_file(f)
    assert skill.concept_type == "KnowledgeSkillCompetence"


# ------------------------------------------------------------ collections

TRANSVERSAL_ORDER = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,status,altLabels,"
    "description,broaderConceptUri,broaderConceptPT"
)
DIGITAL_ORDER = (
    "conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,"
    "description,broaderConceptUri,broaderConceptPT"
)


def test_both_collection_column_orders_give_the_same_records(tmp_path):
    a = write(
        tmp_path / "transversalSkillsCollection_en.csv",
        TRANSVERSAL_ORDER,
        [
            f"KnowledgeSkillCompetence,{U}1,skill/competence,transversal,think creatively,released,"
            f'creative thinking | be creative,"Generate ideas.\n",{U}2 | {U}3,thinking | creating'
        ],
    )
    b = write(
        tmp_path / "greenSkillsCollection_en.csv",
        DIGITAL_ORDER,
        [
            f"KnowledgeSkillCompetence,{U}1,think creatively,released,skill/competence,transversal,"
            f'creative thinking | be creative,"Generate ideas.\n",{U}2 | {U}3,thinking | creating'
        ],
    )
    (x,) = iter_file(a)
    (y,) = iter_file(b)
    assert isinstance(x, CollectionMember)
    assert (x.collection, y.collection) == ("transversal", "green")
    assert x.skill_type == y.skill_type == "skill/competence"
    assert x.preferred_label == y.preferred_label == "think creatively"
    assert x.alt_labels == y.alt_labels == ("creative thinking", "be creative")
    assert x.broader_uris == (f"{U}2", f"{U}3") and x.broader_labels == ("thinking", "creating")
    assert x.description == "Generate ideas."


def test_the_1_0_ict_collection_without_status(tmp_path):
    f = write(
        tmp_path / "ictSkillsCollection_nl.csv",
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description,"
        "broaderConceptUri,broaderConceptPT",
        [f"KnowledgeSkillCompetence,{U}1,skill/competence,transversal,één,,,{U}S5.2.3,oplossen"],
        eol="\n",
    )
    (m,) = iter_file(f)
    assert (m.collection, m.status, m.preferred_label, m.language) == ("ict", None, "één", "nl")


# -------------------------------------------------------- partial folders


def test_a_folder_with_only_some_files(tmp_path):
    write(tmp_path / "skills_en.csv", SKILLS_HEADER, [skill_row(1), skill_row(2)])
    write(
        tmp_path / "transversalSkillsCollection_en.csv",
        TRANSVERSAL_ORDER,
        [f"KnowledgeSkillCompetence,{U}1,skill/competence,transversal,a,released,,,{U}9,g"],
    )
    (tmp_path / "checklist.chk").write_text("md5s\n")
    report = scan_folder(tmp_path)
    assert report.rows_by_file() == {"skills_en.csv": 2, "transversalSkillsCollection_en.csv": 1}
    assert report.other_files == ("checklist.chk",)
    assert FileKind.OCCUPATIONS in report.missing_kinds
    assert FileKind.SKILLS not in report.missing_kinds
    assert len(list(iter_records(tmp_path))) == 3


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(NotAnEscoFolderError):
        scan_folder(tmp_path)
    with pytest.raises(NotAnEscoFolderError):
        list(iter_records(tmp_path))


# ----------------------------------------------------------- bad headers


def test_unknown_header_names_file_and_line(tmp_path):
    f = write(tmp_path / "people.csv", "name,email", ["ada,ada@example.org"])
    with pytest.raises(UnknownHeaderError) as err:
        identify_file(f)
    assert err.value.path == f and err.value.line == 1
    assert "people.csv, line 1: unknown header (name, email)" in str(err.value)
    assert "expected the header of an ESCO CSV file" in str(err.value)
    with pytest.raises(UnknownHeaderError):
        scan_folder(tmp_path)


def test_known_name_with_a_foreign_header_lists_the_missing_columns(tmp_path):
    f = write(tmp_path / "skills_en.csv", "uri,label", [f"{U}1,x"])
    with pytest.raises(MissingColumnError) as err:
        identify_file(f)
    assert "conceptType, conceptUri, preferredLabel" in str(err.value)


def test_recognised_header_missing_a_required_column(tmp_path):
    f = write(
        tmp_path / "occupationSkillRelations.csv",
        "occupationUri,skillType,skillUri",
        [f"http://data.europa.eu/esco/occupation/1,knowledge,{U}1"],
    )
    with pytest.raises(MissingColumnError) as err:
        identify_file(f)
    assert err.value.line == 1 and "relationType" in str(err.value)


def test_header_wins_over_the_file_name(tmp_path):
    renamed = write(tmp_path / "export (1).csv", SKILLS_HEADER, [skill_row(1)])
    assert identify_file(renamed).kind is FileKind.SKILLS
    liar = write(tmp_path / "occupations_en.csv", SKILLS_HEADER, [skill_row(1)])
    info = identify_file(liar)
    assert info.kind is FileKind.SKILLS and "file name suggests occupations" in info.warnings[0]


def test_empty_file_and_duplicate_columns(tmp_path):
    (tmp_path / "skills_en.csv").write_bytes(b"")
    with pytest.raises(MalformedCSVError, match="empty"):
        identify_file(tmp_path / "skills_en.csv")
    f = write(tmp_path / "x.csv", "conceptUri,conceptUri,broaderUri", [])
    with pytest.raises(MalformedCSVError, match="appears twice"):
        identify_file(f)


# ------------------------------------------------------------ bad records


def test_truncated_file_inside_a_quoted_field(tmp_path):
    full = write(
        tmp_path / "skills_en.csv", SKILLS_HEADER, [skill_row(1), skill_row(2, alt="a\nb\nc")]
    )
    data = full.read_bytes()
    full.write_bytes(data[: data.index(b"a\nb") + 3])  # cut inside the altLabels quote
    with pytest.raises(MalformedCSVError) as err:
        list(iter_file(full))
    assert err.value.line == 4  # record 2 starts on line 4
    assert "truncated" in str(err.value)


def test_truncated_file_cut_between_fields(tmp_path):
    f = write(
        tmp_path / "broaderRelationsSkillPillar.csv",
        "conceptType,conceptUri,broaderType,broaderUri",
        [f"SkillGroup,{U}1,SkillGroup,{U}2", f"SkillGroup,{U}3"],
        tail=False,
    )
    with pytest.raises(BadRowLengthError) as err:
        list(iter_file(f))
    assert err.value.line == 3


def test_cut_at_a_record_boundary_without_final_newline_is_a_warning(tmp_path):
    write(
        tmp_path / "skillSkillRelations.csv",
        "originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri",
        [f"{U}1,knowledge,optional,knowledge,{U}2"],
        tail=False,
    )
    (file,) = scan_folder(tmp_path).files
    assert file.rows == 1 and not file.ends_with_newline
    assert "may be truncated" in file.warnings[-1]


def test_stray_quote_is_refused(tmp_path):
    # A quote inside an unquoted field is kept as text by the csv module; text
    # after a closing quote is what damaged quoting looks like.
    f = write(
        tmp_path / "skillSkillRelations.csv",
        "originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri",
        [f"{U}1,knowledge,optional,knowledge,{U}2", f'{U}1,"know"ledge,optional,knowledge,{U}2'],
    )
    with pytest.raises(MalformedCSVError) as err:
        list(iter_file(f))
    assert err.value.line == 3


def test_malformed_uri_names_column_and_line(tmp_path):
    f = write(
        tmp_path / "occupationSkillRelations.csv",
        "occupationUri,relationType,skillType,skillUri",
        [
            f"http://data.europa.eu/esco/occupation/1,essential,knowledge,{U}1",
            "http://data.europa.eu/esco/occupation/1,essential,knowledge,skill 42",
        ],
    )
    with pytest.raises(MalformedURIError) as err:
        list(iter_file(f))
    assert err.value.line == 3 and "'skillUri'" in str(err.value) and "'skill 42'" in str(err.value)


def test_bad_date_and_bad_utf8_and_nul(tmp_path):
    bad_date = skill_row(1).replace("2022-08-25T12:53:49.834Z", "25/08/2022")
    f = write(tmp_path / "a" / "skills_en.csv", SKILLS_HEADER, [bad_date])
    with pytest.raises(BadValueError, match="modifiedDate"):
        list(iter_file(f))
    g = write(tmp_path / "b" / "skills_en.csv", SKILLS_HEADER, [skill_row(1)])
    g.write_bytes(g.read_bytes().replace(b"skill 1", b"skill \xe9"))
    with pytest.raises(MalformedCSVError, match="not UTF-8"):
        list(iter_file(g))
    h = write(tmp_path / "c" / "skills_en.csv", SKILLS_HEADER, [skill_row(1)])
    h.write_bytes(h.read_bytes().replace(b"skill 1", b"skill \x00"))
    with pytest.raises(MalformedCSVError, match="NUL"):
        list(iter_file(h))


def test_too_long_rows_are_refused_even_in_the_hierarchy(tmp_path):
    header = (
        "Level 0 URI,Level 0 preferred term,Level 1 URI,Level 1 preferred term,Level 2 URI,"
        "Level 2 preferred term,Level 3 URI,Level 3 preferred term,Description,Scope note,"
        "Level 0 code,Level 1 code,Level 2 code,Level 3 code"
    )
    f = write(
        tmp_path / "skillsHierarchy_en.csv",
        header,
        [
            f"{U}T,transversal,,,,,,,,,T",  # 11 fields, as in the real file
            f'{U}T,transversal,{U}T4,social,,,,,"Interact.\nWell.",,T,T4',
            f"{U}T,transversal,,,,,,,,,T,,,,extra",
        ],
    )
    records = iter_file(f)
    root, t4 = next(records), next(records)
    assert root.uri == f"{U}T" and root.code == "T" and root.parent_uri is None
    assert t4.code == "T4" and t4.parent_uri == f"{U}T" and t4.description == "Interact.\nWell."
    with pytest.raises(BadRowLengthError) as err:
        next(records)
    assert err.value.line == 5


# ------------------------------------------------- languages and versions


@pytest.mark.parametrize(
    "name, lang",
    [
        ("skills_en-us.csv", "en-US"),
        ("skills_en.csv", "en"),
        ("ISCOGroups_pt.csv", "pt"),
        ("broaderRelationsSkillPillar.csv", None),
        ("transversalSkillsCollection_FR.csv", "fr"),
    ],
)
def test_language_from_the_file_name(name, lang):
    assert detect_language(name) == lang


@pytest.mark.parametrize(
    "path, version",
    [
        ("/data/v1.1.1/en", "1.1.1"),
        ("/x/ESCO dataset - v1.2.0 - classification - en - csv", "1.2.0"),
        ("/data/v1.0.x/nl", "1.0.x"),
        ("/data/esco/en", None),
        ("/srv/dev1.2/en", None),
    ],
)
def test_version_from_the_folder_name(path, version):
    assert version_from_path(path) == version


def test_version_can_be_given_and_disagreement_is_reported(tmp_path):
    folder = tmp_path / "v1.1.1"
    write(
        folder / "occupations_en.csv",
        "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,"
        "regulatedProfessionNote,scopeNote,definition,inScheme,description,code,naceCode",
        [
            'Occupation,http://data.europa.eu/esco/occupation/1,0110,officer,"a\nb",,released,'
            '2024-03-01T10:00:00Z,,,,,"Leads.",0110.1,"84.22\n85.1"'
        ],
    )
    report = scan_folder(folder)
    assert report.version == "1.1.1" and report.version_source == "folder name"
    assert "disagrees with the content, which says 1.2.x" in report.warnings[0]
    given = scan_folder(folder, version="1.2.0")
    assert (given.version, given.version_source) == ("1.2.0", "given")
    (occ,) = iter_records(folder)
    assert occ.isco_group == "0110" and occ.nace_codes == ("84.22", "85.1")
    assert occ.alt_labels == ("a", "b")


# ------------------------------------------------ ambiguous headers, roots


def test_occupation_pillar_told_from_skill_pillar(tmp_path):
    header = "conceptType,conceptUri,broaderType,broaderUri"
    occ = "ISCOGroup,http://data.europa.eu/esco/isco/C0110,ISCOGroup,http://data.europa.eu/esco/isco/C011"
    named = write(tmp_path / "a" / "broaderRelationsOccPillar_en.csv", header, [occ])
    unnamed = write(tmp_path / "b" / "relations.csv", header, [occ])
    skills = write(tmp_path / "c" / "relations.csv", header, [f"SkillGroup,{U}1,SkillGroup,{U}2"])
    assert identify_file(named).kind is FileKind.OCCUPATION_BROADER
    assert identify_file(unnamed).kind is FileKind.OCCUPATION_BROADER
    assert identify_file(skills).kind is FileKind.SKILL_BROADER
    (rel,) = iter_file(unnamed)
    assert rel.pillar == "occupation" and rel.broader_uri.endswith("/C011")


def test_isco_groups_told_from_skill_groups(tmp_path):
    f = write(
        tmp_path / "groups.csv",
        "conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,description",
        [
            "ISCOGroup,http://data.europa.eu/esco/isco/C0110,0110,Commissioned armed forces officers,released,,"
            '"http://data.europa.eu/esco/concept-scheme/isco,\nhttp://data.europa.eu/esco/concept-scheme/occupations",'
        ],
    )
    assert identify_file(f).kind is FileKind.ISCO_GROUPS
    (g,) = iter_file(f)
    assert g.code == "0110" and len(g.in_scheme) == 2


def test_1_2_download_with_two_languages_reads_relations_once(tmp_path):
    header = "occupationUri,occupationLabel,relationType,skillType,skillUri,skillLabel"
    for lang, label in (("en", "pilot"), ("de", "Lotse")):
        folder = tmp_path / f"ESCO dataset - v1.2.0 - classification - {lang} - csv"
        write(
            folder / f"occupationSkillRelations_{lang}.csv",
            header,
            [f"http://data.europa.eu/esco/occupation/1,{label},essential,knowledge,{U}1,x"],
        )
        write(folder / f"skills_{lang}.csv", SKILLS_HEADER, [skill_row(1)])
        write(
            folder / "conceptSchemes_en.csv"
            if lang == "en"
            else folder / f"conceptSchemes_{lang}.csv",
            "conceptType,conceptSchemeUri,preferredLabel,title,status,description,hasTopConcept",
            ["ConceptScheme,http://data.europa.eu/esco/concept-scheme/skills,Skills,,,,"],
        )
    records = list(iter_records(tmp_path, languages=["de", "en"]))
    relations = [r for r in records if isinstance(r, OccupationSkillRelation)]
    assert [r.language for r in relations] == ["de"]
    assert [r.language for r in records if r.__class__.__name__ == "Skill"] == ["de", "en"]
    report = scan_download(tmp_path)
    assert report.version == "1.2.0" and report.languages == ("de", "en")
    ignored = [f for f in report.files if f.kind is FileKind.CONCEPT_SCHEMES]
    assert len(ignored) == 2 and all(f.ignored for f in ignored)


def test_extra_columns_are_tolerated_and_reported(tmp_path):
    write(
        tmp_path / "skillSkillRelations_en.csv",
        "originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri,weight",
        [f"{U}1,knowledge,optional,knowledge,{U}2,0.5"],
    )
    (file,) = scan_folder(tmp_path).files
    assert file.extra_columns == ("weight",)
    assert "columns not read: weight" in file.warnings


def test_batched():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError):
        list(batched([1], 0))
