"""Skills in every language: an activity is found by its ESCO skills' labels in each of the
city's languages (the esco plugin gives them through ``col_skill_labels``), below the activities
whose title matches, and importing ESCO in a new language indexes the tagged activities again."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from col_core.activities.models import ActivitySkill
from col_core.jobs.models import Job
from col_core.tenancy.scoping import cross_tenant
from plugins.esco.cli import esco, import_download

from .test_search_reindex import BoundAppContext, titles

DATA = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
LISTEN = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"


def imported(registry, folder: str, version: str) -> None:
    with registry["col.session_factory"]() as session:
        import_download(session, str(DATA / folder), version=version)
        session.commit()


def tagged(factories, activities, city, title: str, uri: str, label: str):
    activity = activities(city, title=title)
    with factories.within(city):
        factories.save(ActivitySkill(activity_id=activity.id, concept_uri=uri, label=label))
    return activity


def search(testapp, city, text: str) -> list[str]:
    return titles(testapp.for_tenant(city).get("/api/v1/search", {"q": text}))


def test_spanish_labels_find_tagged_activities_below_title_matches(
    testapp, registry, factories, activities
):
    imported(registry, "v1.1.1/en", "1.1.1")
    imported(registry, "v1.0.x/es", "1.0.x")
    valencia = factories.tenant("valencia", locales=["es", "en"], default_locale="es")
    tagged(factories, activities, valencia, "Consejo juvenil", LISTEN, "listen actively")
    activities(valencia, title="Taller de escucha activa")
    assert search(testapp, valencia, "escucha activa ") == [
        "Taller de escucha activa",
        "Consejo juvenil",
    ]
    assert search(testapp, valencia, "practicar la escucha ") == ["Consejo juvenil"]
    assert search(testapp, valencia, "listen actively ") == ["Consejo juvenil"]
    # A city without Spanish is not given the Spanish labels.
    vilnius = factories.tenant("vilnius", locales=["lt", "en"])
    tagged(factories, activities, vilnius, "Jaunimo taryba", LISTEN, "listen actively")
    assert search(testapp, vilnius, "escucha ") == []
    assert search(testapp, vilnius, "listen ") == ["Jaunimo taryba"]


def test_a_city_that_turns_esco_off_keeps_only_the_cached_label(
    testapp, registry, factories, activities
):
    imported(registry, "v1.1.1/en", "1.1.1")
    imported(registry, "v1.0.x/es", "1.0.x")
    city = factories.tenant("sevilla", locales=["es", "en"], plugins=["playlists"])
    tagged(factories, activities, city, "Huerto comunitario", TEAMS, "work in teams")
    assert search(testapp, city, "trabajar en grupo ") == []
    assert search(testapp, city, "teams ") == ["Huerto comunitario"]


def test_importing_esco_in_a_new_language_reindexes_the_tagged_activities(
    testapp, app_config, registry, factories, activities
):
    imported(registry, "v1.1.1/en", "1.1.1")
    berlin = factories.tenant("berlin", locales=["de", "en"], default_locale="de")
    tagged(factories, activities, berlin, "Offene Werkstatt", TEAMS, "work in teams")
    activities(berlin, title="Gartentreff")  # tagged with nothing: not indexed again
    assert search(testapp, berlin, "Team arbeiten ") == []
    result = CliRunner().invoke(
        esco,
        ["import", str(DATA / "v1.1.0" / "de"), "--version", "1.1.0"],
        obj=BoundAppContext(app_config),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with registry["col.session_factory"]() as session, cross_tenant(session):
        jobs = session.scalars(select(Job).where(Job.kind == "search.activities")).all()
        # This suite's queue runs each job as soon as its transaction commits.
        assert [(job.tenant_id, job.label, job.status) for job in jobs] == [
            (berlin.id, "1 activities", "done")
        ]
    assert search(testapp, berlin, "Team arbeiten ") == ["Offene Werkstatt"]
    assert search(testapp, berlin, "in Teams ") == ["Offene Werkstatt"]
