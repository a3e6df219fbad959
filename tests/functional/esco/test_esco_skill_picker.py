"""The forms' skill picker with ESCO as the city's catalogue: the search it calls
(``/api/v1/skills``, in the page's language), and the picks of the activity, badge class and
playlist forms stored, refused with a message, kept without the plugin, and never across cities."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from col_core.activities.models import ActivitySkill
from col_core.tenancy.scoping import get_city_row
from plugins.badges.models import BadgeClass
from plugins.esco.interfaces import ISkillTags
from plugins.playlists.models import Playlist

LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
NOT_A_SKILL = "http://data.europa.eu/esco/skill/not-a-concept"
OLD_SKILL = "https://example.org/skills/cycle-safely"  # typed into the old "URI | label" box


@pytest.fixture
def loaded(esco):
    esco.load("v1.1.1/en", "v1.0.x/es")
    return esco


@pytest.fixture
def madrid(factories):
    return factories.tenant("madrid", locales=["es", "en"], default_locale="es")


@pytest.fixture
def org(people, madrid):
    return people.organisation(madrid)


@pytest.fixture
def organiser(people, madrid, org):
    return people.client(madrid, people.organiser(madrid, org))


def complete_activity(people, city, org, title="Círculo de escucha"):
    """A published activity whose every required field is filled, so a save succeeds."""
    return people.activity(
        city,
        org,
        title,
        description="<p>Escuchamos juntos.</p>",
        address="Plaza Mayor 1",
        latitude=40.415,
        longitude=-3.707,
        contact_email="hola@example.org",
    )


def fields_of(form, **changes) -> list[tuple[str, str]]:
    """What the browser would send for ``form``, with ``skills`` URIs added (as the script's
    chips do) and other fields changed."""
    added = changes.pop("skills", [])
    sent = [(name, value) for name, value in form.submit_fields() if name not in changes]
    sent += [(name, value) for name, value in changes.items()]
    return sent + [("skills", uri) for uri in added]


# -- the search ------------------------------------------------------------------------------


def test_search_names_skills_in_the_page_s_language(loaded, madrid, testapp):
    answer = testapp.for_tenant(madrid).get("/api/v1/skills", {"q": "escucha activa"}).json
    assert answer["results"][0] == {"uri": LISTEN_ACTIVELY, "label": "practicar la escucha activa"}
    assert answer["catalogue"] == "ESCO" and "ESCO" in answer["attribution"]
    english = testapp.for_tenant(madrid).get(
        "/api/v1/skills", {"q": "escucha activa", "lang": "en"}
    )
    assert english.json["results"][0]["label"] == "listen actively"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "a"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "escucha", "lang": "e$"}, "lang"),
        ({"q": "escucha", "limit": "500"}, "limit"),
    ],
)
def test_search_refuses_what_it_cannot_use(loaded, madrid, testapp, params, field):
    answer = testapp.for_tenant(madrid).get("/api/v1/skills", params, status=400).json
    assert answer["error"] and answer["fields"][field]


def test_search_is_in_the_openapi_document(madrid, testapp):
    paths = testapp.for_tenant(madrid).get("/api/openapi.json").json["paths"]
    operation = paths["/api/v1/skills"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["q", "lang", "limit"]
    assert {"200", "400", "404"} <= set(operation["responses"])


def test_without_the_esco_plugin_there_is_nothing_to_search(loaded, factories, testapp):
    plain = factories.tenant("plain", plugins=["map", "badges", "playlists"])
    answer = testapp.for_tenant(plain).get("/api/v1/skills", {"q": "listen"}, status=404).json
    assert answer["error"] == "This city has no skill catalogue switched on."


# -- the activity form -----------------------------------------------------------------------


def _activity_skills(factories, city, activity):
    with factories.within(city):
        factories.session.expire_all()
        rows = factories.session.execute(
            select(ActivitySkill.concept_uri, ActivitySkill.label)
            .where(ActivitySkill.activity_id == activity.id)
            .order_by(ActivitySkill.id)
        )
        return [tuple(row) for row in rows]


def test_activity_form_stores_the_skills_picked(loaded, people, factories, madrid, org, organiser):
    activity = complete_activity(people, madrid, org)
    page = organiser.get(f"/activities/{activity.id}/edit")
    picker = page.html.find("fieldset", id="f-skills")
    assert picker["data-search-url"].endswith("/api/v1/skills") and picker["data-lang"] == "es"
    organiser.post(
        f"/activities/{activity.id}/edit",
        fields_of(page.forms["activity-form"], skills=[LISTEN_ACTIVELY]),
        status=303,
    )
    assert _activity_skills(factories, madrid, activity) == [
        (LISTEN_ACTIVELY, "practicar la escucha activa")
    ]
    page = organiser.get(f"/activities/{activity.id}/edit")
    chip = page.html.find("input", attrs={"name": "skills", "value": LISTEN_ACTIVELY})
    assert chip.has_attr("checked")
    assert page.html.find("label", attrs={"for": chip["id"]}).text == "practicar la escucha activa"
    # Unticking the chip (what its remove button does) removes the skill.
    form = page.forms["activity-form"]
    form.get("skills", index=0).checked = False
    form.submit("action", value="save", status=303)
    assert _activity_skills(factories, madrid, activity) == []


def test_a_form_without_the_picker_changes_no_skill(
    loaded, people, factories, madrid, org, organiser
):
    activity = complete_activity(people, madrid, org)
    form = organiser.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    organiser.post(
        f"/activities/{activity.id}/edit", fields_of(form, skills=[LISTEN_ACTIVELY]), status=303
    )
    without = [(n, v) for n, v in form.submit_fields() if n not in ("skills", "skills_shown")]
    organiser.post(f"/activities/{activity.id}/edit", without, status=303)
    assert [uri for uri, _ in _activity_skills(factories, madrid, activity)] == [LISTEN_ACTIVELY]


def test_a_name_typed_without_javascript_is_looked_up(
    loaded, people, factories, madrid, org, organiser
):
    activity = complete_activity(people, madrid, org)
    form = organiser.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["skill_add"] = "Practicar la escucha activa"
    form.submit("action", value="save", status=303)
    assert [uri for uri, _label in _activity_skills(factories, madrid, activity)] == [
        LISTEN_ACTIVELY
    ]
    form = organiser.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["skill_add"] = "xyzzy nothing"
    page = form.submit("action", value="save", status=400)
    assert "Ninguna competencia se llama «xyzzy nothing»" in page.html.find(id="e-skills").text


def test_activity_form_refuses_a_uri_that_is_not_a_skill(
    loaded, people, factories, madrid, org, organiser
):
    activity = complete_activity(people, madrid, org)
    form = organiser.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    page = organiser.post(
        f"/activities/{activity.id}/edit", fields_of(form, skills=[NOT_A_SKILL]), status=400
    )
    assert "elige competencias de las sugerencias" in page.html.find(id="e-skills").text
    assert _activity_skills(factories, madrid, activity) == []


def test_the_api_refuses_a_uri_that_is_not_a_skill_and_labels_known_ones(
    loaded, people, factories, madrid, org, testapp
):
    """The JSON API is held to the catalogue as the form is: any URL used to be stored as a
    skill, with whatever label the client sent."""
    activity = complete_activity(people, madrid, org)
    headers = {
        "Authorization": f"Bearer {people.token(people.consented(madrid, people.organiser(madrid, org)))}",
        "Host": "madrid.example.test",
    }
    path = f"/api/v1/activities/{activity.id}"
    refused = testapp.patch_json(path, {"skills": [NOT_A_SKILL]}, headers=headers, status=422).json
    assert "elige competencias de las sugerencias" in refused["fields"]["skills"]
    assert _activity_skills(factories, madrid, activity) == []
    testapp.patch_json(
        path,
        {"skills": [{"uri": LISTEN_ACTIVELY, "label": "<b>anything</b>"}]},
        headers=headers,
        status=200,
    )
    assert _activity_skills(factories, madrid, activity) == [
        (LISTEN_ACTIVELY, "practicar la escucha activa")
    ]


def test_another_city_s_organiser_cannot_tag_its_activity(
    loaded, people, factories, madrid, org, organiser
):
    lyon = factories.tenant("lyon", locales=["fr", "en"], default_locale="fr")
    theirs = people.activity(lyon, people.organisation(lyon), title="Cercle")
    form = organiser.get(f"/activities/{complete_activity(people, madrid, org).id}/edit").forms[
        "activity-form"
    ]
    organiser.post(
        f"/activities/{theirs.id}/edit", fields_of(form, skills=[LISTEN_ACTIVELY]), status=404
    )
    assert _activity_skills(factories, lyon, theirs) == []


# -- the badge class form --------------------------------------------------------------------


def _badges(factories, city):
    with factories.within(city):
        factories.session.expire_all()
        return factories.session.scalars(select(BadgeClass).order_by(BadgeClass.id)).all()


def test_badge_form_stores_the_skills_picked(loaded, factories, madrid, org, organiser):
    form = organiser.get(f"/badges/manage/organisations/{org.id}/new").forms["badge-form"]
    assert "skills" not in [name for name, _value in form.submit_fields()]  # no URI box
    organiser.post(
        f"/badges/manage/organisations/{org.id}/new",
        fields_of(form, name="Escucha", skills=[LISTEN_ACTIVELY, THINK_CREATIVELY]),
        status=303,
    )
    [badge] = _badges(factories, madrid)
    assert badge.skills == [
        {"uri": LISTEN_ACTIVELY, "label": "practicar la escucha activa"},
        {"uri": THINK_CREATIVELY, "label": "pensar de manera creativa"},
    ]


def test_badge_form_keeps_skills_typed_as_uris_before(loaded, factories, madrid, org, organiser):
    """A badge class made with the old "URI | label" box keeps skills ESCO does not know; the
    picker shows them with their label, and a new unknown URI is refused."""
    form = organiser.get(f"/badges/manage/organisations/{org.id}/new").forms["badge-form"]
    organiser.post(
        f"/badges/manage/organisations/{org.id}/new", fields_of(form, name="Old"), status=303
    )
    [badge] = _badges(factories, madrid)
    with factories.within(madrid):
        badge.skills = [{"uri": OLD_SKILL, "label": "cycle safely"}]
        factories.save(badge)
    page = organiser.get(f"/badges/manage/{badge.id}")
    assert page.html.find("label", title=OLD_SKILL).text == "cycle safely"
    form = page.forms["badge-form"]
    form.submit(status=303)
    organiser.post(
        f"/badges/manage/{badge.id}",
        fields_of(form, skills=[f"{LISTEN_ACTIVELY} | escuchar"]),
        status=303,
    )
    assert [s["uri"] for s in _badges(factories, madrid)[0].skills] == [OLD_SKILL, LISTEN_ACTIVELY]
    refused = organiser.post(
        f"/badges/manage/{badge.id}", fields_of(form, skills=[NOT_A_SKILL]), status=400
    )
    assert "elige competencias de las sugerencias" in refused.html.find(id="e-skills").text


# -- the playlist builder --------------------------------------------------------------------


def _new_playlist(organiser, org) -> int:
    page = organiser.post(f"/playlists/new/{org.slug}", status=303).follow()
    return int(page.request.path.split("/")[-2])


def test_playlist_form_stores_the_skills_picked(loaded, esco, factories, madrid, org, organiser):
    playlist_id = _new_playlist(organiser, org)
    form = organiser.get(f"/playlists/{playlist_id}/edit").forms["playlist-form"]
    organiser.post(
        f"/playlists/{playlist_id}/edit",
        fields_of(form, title="Escuchar", description="<p>Juntos</p>", skills=[LISTEN_ACTIVELY]),
        status=303,
    )
    with factories.within(madrid):
        factories.session.expire_all()
        playlist = get_city_row(factories.session, Playlist, playlist_id)
        assert [(s["uri"], s["label"]) for s in playlist.skills] == [
            (LISTEN_ACTIVELY, "practicar la escucha activa")
        ]
    request = esco.request(madrid)
    assert request.find_service(ISkillTags).tags("playlist", playlist_id) == [LISTEN_ACTIVELY]
    refused = organiser.post(
        f"/playlists/{playlist_id}/edit", fields_of(form, skills=[NOT_A_SKILL]), status=400
    )
    assert "elige competencias de las sugerencias" in refused.html.find(id="e-skills").text


# -- without the esco plugin -----------------------------------------------------------------


def test_without_a_catalogue_the_picker_keeps_what_was_chosen(loaded, people, factories):
    plain = factories.tenant("plain", plugins=["map", "badges", "playlists"])
    org = people.organisation(plain)
    activity = complete_activity(people, plain, org)
    with factories.within(plain):
        factories.save(ActivitySkill(activity_id=activity.id, concept_uri=OLD_SKILL, label="x"))
    client = people.client(plain, people.organiser(plain, org))
    page = client.get(f"/activities/{activity.id}/edit")
    assert page.html.find(id="f-skill_add") is None
    assert "No skill catalogue is switched on" in page.html.find(id="f-skills").text
    form = page.forms["activity-form"]
    form.submit("action", value="save", status=303)
    assert [uri for uri, _ in _activity_skills(factories, plain, activity)] == [OLD_SKILL]
    refused = client.post(
        f"/activities/{activity.id}/edit", fields_of(form, skills=[LISTEN_ACTIVELY]), status=400
    )
    assert "no skill catalogue" in refused.html.find(id="e-skills").text
