"""The esco pages: search without JavaScript, skill pages, tagging activities, learners' skills
from badges, skill-gap routes, and a city that has not enabled the plugin."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from sqlalchemy import select

from col_core.activities.models import ActivitySkill
from col_core.hookspecs import SkillSubject, hookimpl
from plugins.esco.interfaces import ILearnerSkills, ISkillCatalog, ISkillSearch, ISkillTags

THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
OCCUPATION = "http://data.europa.eu/esco/occupation/094e04fd-3039-4615-850b-b232794f84f5"
# The city of these tests speaks Dutch first; the statement is shown in the page's language.
ATTRIBUTION_NL = "Deze dienst gebruikt de ESCO-classificatie van de Europese Commissie."


def attribution(page) -> str:
    return page.html.find("p", class_="esco-attribution").text


@pytest.fixture
def loaded(esco):
    esco.load("v1.1.1/en", "v1.1.1/fr", "v1.0.x/fr")
    return esco


@pytest.fixture
def org(people, city):
    return people.organisation(city)


@pytest.fixture
def organiser(people, city, org):
    return people.client(city, people.organiser(city, org))


def tag(esco, city, subject_type, subject_id, uri):
    request = esco.request(city)
    request.find_service(ISkillTags).add(subject_type, subject_id, uri)
    request.tm.commit()


def test_disabled_plugin_answers_404_everywhere(factories, testapp, loaded):
    city = factories.tenant("plain", plugins=["map"])
    app = testapp.for_tenant(city)
    app.get("/esco/skills", {"q": "think"}, status=404)
    app.get("/esco/concept", {"uri": THINK_CREATIVELY}, status=404)
    app.get("/api/v1/esco/skills", {"q": "think"}, status=404)
    assert "/api/v1/esco/skills" not in app.get("/api/openapi.json").json["paths"]


def test_search_page_works_without_javascript(testapp, city, loaded):
    page = testapp.for_tenant(city).get("/esco/skills", {"q": "creative mind"})
    link = page.html.find("a", attrs={"data-esco-uri": THINK_CREATIVELY})
    assert link.text == "think creatively"  # no Dutch label loaded: English
    assert attribution(page) == ATTRIBUTION_NL
    box = page.html.find("main").find("input", attrs={"name": "q"})  # not the header's
    assert box["data-esco-combobox"].endswith("/api/v1/esco/skills")


def test_skill_page_lists_activities_of_narrower_skills(people, testapp, city, org, loaded):
    activity = people.activity(city, org, title="Idea lab")
    tag(loaded, city, "activity", activity.id, THINK_CREATIVELY)
    catalog = loaded.request().find_service(ISkillCatalog)
    broader = min(catalog.ancestors(THINK_CREATIVELY).items(), key=lambda item: -item[1])[0]
    page = testapp.for_tenant(city).get("/esco/concept", {"uri": broader})
    assert "Idea lab" in page.text
    assert attribution(page) == ATTRIBUTION_NL
    testapp.for_tenant(city).get("/esco/concept", {"uri": "http://example.org/x"}, status=404)


class PlaylistsPlugin:
    @hookimpl
    def col_skill_subjects(self, request, uris):
        return (
            [SkillSubject("Playlist", "Creative summer", "/playlists/1")]
            if THINK_CREATIVELY in uris
            else []
        )


def test_skill_page_lists_what_other_plugins_align_with_it(testapp, city, loaded, registry):
    manager = registry["col.plugins"].manager
    manager.register(PlaylistsPlugin(), name="test-skill-subjects")
    try:
        page = testapp.for_tenant(city).get("/esco/concept", {"uri": THINK_CREATIVELY})
    finally:
        manager.unregister(name="test-skill-subjects")
    assert page.html.find("a", href="/playlists/1").text == "Creative summer"


def test_an_activitys_badge_brings_the_activitys_and_its_own_skills(people, city, org, loaded):
    """Done means: an organiser tags an activity with "listen actively" (found by its French
    label), a learner earns the activity's badge and has the skill in their profile."""
    activity = people.activity(city, org)
    found = loaded.request(city).find_service(ISkillSearch).search("ecouter activ", "fr")[0]
    tag(loaded, city, "activity", activity.id, found.uri)
    learner = people.user()
    request = loaded.request(city)
    request.hooks.col_badge_awarded(
        request=request,
        assertion=SimpleNamespace(
            id=12,
            user_id=learner.id,
            badge_class_id=8,
            badge_class=SimpleNamespace(
                subject_type="activity",
                subject_id=activity.id,
                skills=[{"uri": THINK_CREATIVELY, "label": "x"}],
            ),
        ),
    )
    assert request.find_service(ILearnerSkills).skills(learner.id) == {
        LISTEN_ACTIVELY,
        THINK_CREATIVELY,
    }


def test_organiser_tags_an_activity_found_by_its_french_label(
    people, city, org, organiser, loaded, factories
):
    activity = people.activity(city, org)
    url = f"/esco/activities/{activity.id}/skills"
    page = organiser.get(url, {"q": "ecouter activement"})
    button = page.html.find("button", attrs={"data-esco-uri": LISTEN_ACTIVELY})
    assert button is not None
    organiser.post(url, {"action": "add", "uri": LISTEN_ACTIVELY}, status=303)
    organiser.post(url, {"action": "add", "uri": LISTEN_ACTIVELY}, status=303)  # idempotent
    with factories.within(city):
        rows = factories.session.scalars(select(ActivitySkill)).all()
    assert [(r.activity_id, r.concept_uri, r.version, r.label) for r in rows] == [
        (activity.id, LISTEN_ACTIVELY, "1.1.1", "listen actively")
    ]
    assert "listen actively" in organiser.get(url).text
    organiser.post(url, {"action": "remove", "uri": LISTEN_ACTIVELY}, status=303)
    assert "Nog geen vaardigheid." in organiser.get(url).text  # "No skill yet."


def test_tagging_rejects_unknown_skills_and_strangers(
    people, testapp, city, org, organiser, loaded
):
    activity = people.activity(city, org)
    url = f"/esco/activities/{activity.id}/skills"
    organiser.post(url, {"action": "add", "uri": "http://example.org/nope"}, status=400)
    stranger = people.client(city, people.user("stranger"))
    stranger.post(url, {"action": "add", "uri": LISTEN_ACTIVELY}, status=403)
    anonymous = testapp.for_tenant(city).get(url, status=303)
    assert "/signin" in anonymous.location
    organiser.get("/esco/activities/999999/skills", status=404)


def test_alignments_for_open_badges(city, loaded):
    tag(loaded, city, "badge_class", 7, LISTEN_ACTIVELY)
    alignments = loaded.request(city).find_service(ISkillTags).alignments("badge_class", 7, "fr")
    assert alignments == [
        {
            "targetName": "écouter activement",
            "targetUrl": LISTEN_ACTIVELY,
            "targetDescription": alignments[0]["targetDescription"],
            "targetFramework": "ESCO",
            "targetCode": "a17286c5-238d-4f0b-bc24-29e9121345de",
        }
    ]
    assert alignments[0]["targetDescription"].startswith("Give attention to what other people say")


def test_earned_badge_skills_appear_grouped_in_the_profile(people, city, loaded):
    learner = people.user()
    tag(loaded, city, "badge_class", 7, THINK_CREATIVELY)
    request = loaded.request(city)
    request.hooks.col_badge_awarded(
        request=request, assertion=SimpleNamespace(id=11, user_id=learner.id, badge_class_id=7)
    )
    request.hooks.col_badge_awarded(
        request=request, assertion=SimpleNamespace(id=11, user_id=learner.id, badge_class_id=7)
    )  # the same award twice records once
    request.tm.commit()
    request = loaded.request(city)
    groups = request.find_service(ILearnerSkills).profile(learner.id, "en")
    assert [(str(g.title), g.uris) for g in groups] == [("Transversal skills", [THINK_CREATIVELY])]
    sections = [
        s
        for found in request.hooks.col_profile_sections(request=request, user=learner)
        for s in found
    ]
    assert "think creatively" in sections[0].html


def test_gap_route_recommends_city_activities_for_missing_skills(
    people, testapp, city, org, loaded
):
    catalog = loaded.request().find_service(ISkillCatalog)
    essential = sorted(
        u for u, rel in catalog.occupation_skills(OCCUPATION).items() if rel == "essential"
    )
    builds, already = people.activity(city, org, title="Skill builder"), essential[0]
    tag(loaded, city, "activity", builds.id, essential[1])
    people.activity(city, org, title="Unrelated")
    learner = people.user()
    request = loaded.request(city)
    request.find_service(ILearnerSkills).record(learner.id, [already], "badge", 1)
    request.tm.commit()
    page = people.client(city, learner).get("/esco/routes", {"occupation": OCCUPATION})
    assert "Skill builder" in page.text and "Unrelated" not in page.text
    on_map = page.html.find("a", href=lambda h: h and "/map/?skill=" in h)["href"]
    assert on_map.endswith("skill=" + quote(essential[1], safe=""))
    assert "Vaardigheden die je hebt laten zien" in page.text  # "Skills you have shown"
    anonymous = testapp.for_tenant(city).get("/esco/routes", {"occupation": OCCUPATION})
    assert "Vaardigheden die je hebt laten zien" not in anonymous.text
    testapp.for_tenant(city).get("/esco/routes", {"occupation": THINK_CREATIVELY}, status=404)


def test_gap_route_occupation_picker_without_javascript(testapp, city, loaded):
    page = testapp.for_tenant(city).get("/esco/routes", {"q": "youth"})
    assert page.html.find("a", href=lambda h: h and "occupation=" in h) is not None


def test_dashboard_links_each_activity_to_its_skill_widget(people, city, org, organiser, loaded):
    activity = people.activity(city, org, title="Idea lab")
    tag(loaded, city, "activity", activity.id, THINK_CREATIVELY)
    page = organiser.get(f"/organisations/{org.slug}")
    section = page.html.find("section", attrs={"aria-label": "Vaardigheden van je activiteiten"})
    link = section.find(
        "a", href=lambda h: h and h.endswith(f"/esco/activities/{activity.id}/skills")
    )
    assert link.text == "Idea lab" and "think creatively" in link.parent.text


def test_home_suggests_activities_that_build_on_a_learners_skills(people, city, org, loaded):
    builds = people.activity(city, org, title="Listening circle")
    tag(loaded, city, "activity", builds.id, LISTEN_ACTIVELY)
    people.activity(city, org, title="Unrelated")
    learner = people.user()
    request = loaded.request(city)
    request.find_service(ILearnerSkills).record(learner.id, [LISTEN_ACTIVELY], "badge", 1)
    request.tm.commit()
    me = people.client(city, learner)
    page = me.get("/", headers={"Accept-Language": "en"})
    suggested = [
        (li.a.text, li.find(class_="muted").text) for li in page.html.select(".for-you li")
    ]
    assert suggested == [
        ("Listening circle", "Builds on “listen actively”, a skill from your badges")
    ]
    me.post(f"/activities/{builds.id}/join", status=303)  # joined: no longer a suggestion
    assert "Listening circle" not in str(me.get("/").html.select(".for-you"))
