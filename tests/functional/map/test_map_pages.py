"""The map page, its list and filters, "surprise me", the home page sections and the iCal feed."""

from __future__ import annotations

import random

import icalendar

from col_core.activities.models import Participation
from col_core.security.models import User
from plugins.map.serendipity import because_you_joined, from_your_interests, surprise


def test_map_page_lists_activities_and_serves_leaflet(testapp, factories, activities):
    city = factories.tenant(
        "vilnius",
        map={
            "center": [54.7, 25.3],
            "zoom": 13,
            "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
        },
    )
    made = activities(city, title="Dance workshop")
    app = testapp.for_tenant(city)
    page = app.get("/map/")
    assert (
        f'href="http://vilnius.example.test/activities/{made.id}">Dance workshop</a>' in page.text
    )
    assert 'data-center="54.7,25.3"' in page.text and 'data-zoom="13"' in page.text
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page.text
    scripts = page.html.find_all("script", src=True)
    for script in scripts:
        assert app.get(script["src"].replace("http://vilnius.example.test", "")).status_int == 200
    assert any("leaflet.markercluster.js" in s["src"] for s in scripts)


def test_filters_narrow_the_list_and_keep_their_values(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop", category="arts", price_cents=0)
    activities(city, title="Paid robotics", category="tech", price_cents=1000)
    page = testapp.for_tenant(city).get("/map/", {"free": "1", "q": "dance"})
    assert "Dance workshop" in page.text and "Paid robotics" not in page.text
    assert page.html.find("input", id="f-free").has_attr("checked")
    assert page.html.find("input", id="f-q")["value"] == "dance"


def test_bad_filter_is_400_with_the_field_marked(testapp, factories):
    city = factories.tenant("vilnius")
    page = testapp.for_tenant(city).get("/map/", {"age": "old", "q": "dance"}, status=400)
    assert page.html.find("input", id="f-age")["aria-invalid"] == "true"
    assert page.html.find("input", id="f-q")["value"] == "dance"


def test_navigation_has_the_map(testapp, factories):
    city = factories.tenant("vilnius")
    page = testapp.for_tenant(city).get("/")
    assert page.html.find("nav").find("a", href="http://vilnius.example.test/map/")


def test_surprise_me_shows_an_upcoming_activity_and_why(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    page = testapp.for_tenant(city).get("/map/surprise")
    assert page.html.find("a", string="Dance workshop")["href"] == (
        f"http://vilnius.example.test/activities/{made.id}"
    )
    assert page.html.find(id="surprise-reason").text == "Coming up in the next two weeks"
    assert page.html.find("a", string="Another surprise")["href"].endswith("/map/surprise")


def test_surprise_me_near_the_learner_says_how_far(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop", lat=54.70, lon=25.28)
    page = testapp.for_tenant(city).get("/map/surprise", {"near": "54.69,25.28"})
    assert page.html.find(id="surprise-reason").text == (
        "Coming up in the next two weeks · 1.1 km from you"
    )
    again = page.html.find("a", string="Another surprise")["href"]
    assert again == "http://vilnius.example.test/map/surprise?near=54.69%2C25.28"


def test_surprise_me_refuses_a_bad_point_in_words(testapp, factories):
    city = factories.tenant("vilnius")
    page = testapp.for_tenant(city).get("/map/surprise", {"near": "95,10"}, status=400)
    assert "Latitude must be within ±90 and longitude within ±180." in page.text


def test_surprise_prefers_what_a_learner_has_never_tried(tenant_request, factories, activities):
    city = factories.tenant(
        "vilnius",
        settings={"categories": [{"slug": "arts"}, {"slug": "tech", "names": {"en": "Tech"}}]},
    )
    org = activities.organisation(city)
    dance = activities(city, org, title="Dance workshop", category="arts")
    activities(city, org, title="Pottery", category="arts")
    activities(city, org, title="Robotics", category="tech")
    me = factories.save(User(email="me@example.org", display_name="Me"))
    with factories.within(city):
        factories.save(Participation(activity_id=dance.id, user_id=me.id))
    with tenant_request(city) as request:
        picks = [surprise(request, me, rng=random.Random(seed)) for seed in range(8)]
    assert {(pick.title, pick.reason) for pick in picks} == {
        (
            "Robotics",
            "Coming up in the next two weeks · Something new: you have not joined anything"
            " in Tech yet",
        )
    }


def test_surprise_me_with_nothing_to_pick_explains(testapp, factories):
    city = factories.tenant("vilnius")
    response = testapp.for_tenant(city).get("/map/surprise", status=303).follow()
    assert "Nothing to pick from yet" in response.text


def test_home_shows_happening_soon_and_surprise_me(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    page = testapp.for_tenant(city).get("/")
    section = page.html.find(id="happening-soon")
    assert "Dance workshop" in section.text and "Happening in the next 7 days" in section.text
    assert section.find("a", href="http://vilnius.example.test/map/surprise")
    near = section.find("a", string="Happening soon near me")["href"]
    assert near.startswith("http://vilnius.example.test/map/?locate=1&from=")
    assert (
        testapp.for_tenant(city).get(near.replace("http://vilnius.example.test", "")).status_int
        == 200
    )


def test_suggestions_explain_what_similar_learners_joined(tenant_request, factories, activities):
    city = factories.tenant("vilnius")
    org = activities.organisation(city)
    dance, salsa = (
        activities(city, org, title="Dance workshop"),
        activities(city, org, title="Salsa"),
    )
    me, peer = factories.save(
        User(email="me@example.org", display_name="Me"),
        User(email="peer@example.org", display_name="Peer"),
    )
    with factories.within(city):
        factories.save(
            Participation(activity_id=dance.id, user_id=me.id),
            Participation(activity_id=dance.id, user_id=peer.id),
            Participation(activity_id=salsa.id, user_id=peer.id),
        )
    with tenant_request(city) as request:
        picks = because_you_joined(request, me)
    assert [(p.title, p.reason) for p in picks] == [
        ("Salsa", "Because you joined “Dance workshop”")
    ]


def test_suggestions_from_the_category_a_learner_joins_most(tenant_request, factories, activities):
    city = factories.tenant(
        "vilnius",
        settings={
            "categories": [{"slug": "arts", "names": {"en": "Arts and crafts"}}, {"slug": "tech"}]
        },
    )
    org = activities.organisation(city)
    dance = activities(city, org, title="Dance workshop", category="arts")
    activities(city, org, title="Pottery", category="arts")
    activities(city, org, title="Robotics", category="tech")
    me = factories.save(User(email="me@example.org", display_name="Me"))
    with factories.within(city):
        factories.save(Participation(activity_id=dance.id, user_id=me.id))
    with tenant_request(city) as request:
        picks = from_your_interests(request, me)
    assert [(p.title, p.reason) for p in picks] == [("Pottery", "Because you like Arts and crafts")]


def test_search_ical_feed_parses(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    activities(city, title="Robotics", category="tech", languages=["lt"])
    response = testapp.for_tenant(city).get("/map/activities.ics", {"category": "arts"})
    assert response.content_type == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.body)
    events = [component for component in calendar.walk("VEVENT")]
    assert [str(event["summary"]) for event in events] == ["Dance workshop"]


def test_map_page_lists_online_activities_and_keeps_hidden_filters(testapp, factories, activities):
    """Without JavaScript: online activities in their own counted list, a skill from a skill
    page kept in the form (so the map's script and its links keep it), language= for the
    activities' language while lang= only changes the interface."""
    from col_core.activities.models import ActivitySkill

    skill = "http://data.europa.eu/esco/skill/dance"
    city = factories.tenant("vilnius", locales=["en", "lt"])
    activities(
        city,
        title="Dance workshop",
        languages=["lt"],
        skills=[ActivitySkill(concept_uri=skill, label="dance")],
    )
    activities(
        city,
        title="Online dance class",
        latitude=None,
        longitude=None,
        online=True,
        languages=["en"],
        skills=[ActivitySkill(concept_uri=skill, label="dance")],
    )
    activities(city, title="Robotics", category="tech", languages=["lt"])
    app = testapp.for_tenant(city)
    page = app.get("/map/", {"skill": skill})
    assert [li.a.text for li in page.html.select("#results li")] == ["Dance workshop"]
    assert [li.a.text for li in page.html.select("#online-results li")] == ["Online dance class"]
    assert page.html.find(id="results-title").text == "2 activities"
    assert page.html.find("input", {"name": "skill"})["value"] == skill
    assert page.html.select_one(".map-notice a")["href"] == "http://vilnius.example.test/map/"
    # The category list keeps every category after one is chosen.
    chosen = app.get("/map/", {"category": "tech"})
    assert {o["value"] for o in chosen.html.select("#f-category option")} == {"", "arts", "tech"}
    # Online activities count in the filters too.
    assert "(2)" in chosen.html.find("option", value="arts").text
    # lang= is the interface only; language= filters.
    lithuanian = app.get("/map/", {"lang": "lt"})
    assert lithuanian.html.html["lang"] == "lt"
    assert len(lithuanian.html.select("#results li")) == 2  # no language filter
    english = app.get("/map/", {"language": "en"})
    assert [li.a.text for li in english.html.select("#online-results li")] == ["Online dance class"]
    assert not english.html.select("#results li")
    chosen_language = english.html.find("select", id="f-language").find("option", selected=True)
    assert chosen_language["value"] == "en"


def test_an_empty_map_page_offers_ways_out(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    page = testapp.for_tenant(city).get(
        "/map/", {"q": "nothing", "near": "54.7,25.3", "km": "1", "sort": "distance"}
    )
    empty = page.html.find(id="empty")
    assert not empty.has_attr("hidden")
    assert page.html.find(id="way-clear")["href"] == "http://vilnius.example.test/map/"
    assert page.html.find(id="way-online")["href"] == "http://vilnius.example.test/map/?mode=online"
    assert page.html.find(id="way-wider")["href"] == "http://vilnius.example.test/map/?q=nothing"


def test_a_misspelt_search_shows_what_it_searched_and_the_words_as_typed(
    testapp, factories, activities
):
    city = factories.tenant("vilnius")
    activities(city, title="Beekeeping for beginners")
    app = testapp.for_tenant(city)
    page = app.get("/map/", {"q": "beekeping", "free": "", "at": "54.7,25.3,12"})
    assert "Beekeeping for beginners" in page.text
    notice = page.html.find(id="corrected")
    assert "Showing results for beekeeping." in notice.text
    link = notice.find("a")
    assert "beekeping" in link.text and "exact=1" in link["href"]
    as_typed = app.get(link["href"].replace("http://vilnius.example.test", ""))
    assert "Beekeeping for beginners" not in as_typed.text
    assert as_typed.html.find(id="corrected") is None
    # The map's feeds ask with the form's fields: exact travels as a hidden one.
    assert as_typed.html.find("input", attrs={"name": "exact", "type": "hidden"})["value"] == "1"
