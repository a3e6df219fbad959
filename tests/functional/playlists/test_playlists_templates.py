"""Templates across cities: shared text and structure only, copied and mapped by another city."""

from __future__ import annotations

import pytest


@pytest.fixture
def kaunas(factories):
    return factories.tenant("kaunas", timezone="Europe/Vilnius")


@pytest.fixture
def kaunas_side(world, kaunas):
    """An organisation of the second city, its organiser's client and three activities."""
    org = world.organisation(kaunas, "Kaunas Makers")
    client = world.client(kaunas, world.organiser(kaunas, org))
    mine = [world.activity(kaunas, org, title) for title in ("Įvadas", "Dirbtuvės", "Paskaita")]
    return org, client, mine


@pytest.fixture
def template(staff, make_playlist, activities):
    playlist = make_playlist(
        activities[:3], [True, False, False], min_optional=1, is_template=True, milestones=[2]
    )
    rows = [
        {"activity_id": a.id, "mandatory": m, "note": note}
        for a, m, note in (
            (activities[0], True, "A first hands-on session"),
            (activities[1], False, "A workshop"),
            (activities[2], False, "A talk"),
        )
    ]
    rows[2]["unlock_after"] = activities[1].id
    staff.put_json(f"/api/v1/playlists/{playlist}/items", {"items": rows})
    return playlist


def test_templates_of_other_cities_are_listed_with_their_own_text_only(
    template, kaunas_side, activities, org
):
    kaunas_org, client, _mine = kaunas_side
    [shared] = client.get(f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates").json[
        "items"
    ]
    assert shared["title"] == "Science pathway" and shared["city"] == "Vilnius"
    assert [i["note"] for i in shared["items"]] == [
        "A first hands-on session",
        "A workshop",
        "A talk",
    ]
    text = str(shared)
    for leak in (activities[0].title, "Town hall", org.name, org.slug, "activity_id"):
        assert leak not in text


def test_a_city_does_not_see_its_own_templates_as_foreign(template, staff, org):
    assert staff.get(f"/api/v1/organisations/{org.slug}/playlist-templates").json["items"] == []


def test_non_templates_and_drafts_stay_private(make_playlist, activities, kaunas_side):
    make_playlist(activities[:1])
    make_playlist(activities[1:2], publish=False, is_template=True)
    kaunas_org, client, _mine = kaunas_side
    assert (
        client.get(f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates").json["items"]
        == []
    )


def test_copy_maps_items_and_translates(template, kaunas_side, staff, openapi):
    kaunas_org, client, mine = kaunas_side
    [shared] = openapi(
        client.get(f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates")
    ).json["items"]
    mapping = {
        str(item["id"]): activity.id for item, activity in zip(shared["items"], mine, strict=False)
    }
    copied = openapi(
        client.post_json(
            f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates/{template}/copy",
            {
                "mapping": mapping,
                "title": "Mokslo kelias",
                "description": "<p>Mokykis darydamas.</p>",
            },
            status=201,
        )
    ).json
    playlist = copied["playlist"]
    assert playlist["title"] == "Mokslo kelias" and playlist["status"] == "draft"
    assert [i["title"] for i in playlist["items"]] == ["Įvadas", "Dirbtuvės", "Paskaita"]
    assert [i["mandatory"] for i in playlist["items"]] == [True, False, False]
    assert playlist["items"][2]["unlock_after"] == playlist["items"][1]["id"]
    assert playlist["min_optional"] == 1 and playlist["milestones"] == [2]
    assert copied["problems"] == {}
    assert playlist["source_template_id"] == template
    client.post(f"/api/v1/playlists/{playlist['id']}/publish", status=200)
    # The copy lives in Kaunas only: Vilnius cannot reach it.
    staff.get(f"/api/v1/playlists/{playlist['id']}", status=404)


def test_copy_needs_every_item_mapped(template, kaunas_side):
    kaunas_org, client, mine = kaunas_side
    [shared] = client.get(f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates").json[
        "items"
    ]
    response = client.post_json(
        f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates/{template}/copy",
        {"mapping": {str(shared["items"][0]["id"]): mine[0].id}},
        status=422,
    )
    assert set(response.json["fields"]) == {f"mapping.{i['id']}" for i in shared["items"][1:]}


def test_copy_cannot_map_to_the_template_citys_activities(template, kaunas_side, activities):
    kaunas_org, client, mine = kaunas_side
    [shared] = client.get(f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates").json[
        "items"
    ]
    mapping = {
        str(shared["items"][0]["id"]): activities[0].id,
        str(shared["items"][1]["id"]): mine[1].id,
        str(shared["items"][2]["id"]): mine[2].id,
    }
    response = client.post_json(
        f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates/{template}/copy",
        {"mapping": mapping},
        status=422,
    )
    assert response.json["fields"] == {
        f"mapping.{shared['items'][0]['id']}": f"There is no activity #{activities[0].id} in this city."
    }


def test_copying_an_unknown_template(kaunas_side):
    kaunas_org, client, _mine = kaunas_side
    response = client.post_json(
        f"/api/v1/organisations/{kaunas_org.slug}/playlist-templates/99999/copy",
        {"mapping": {}},
        status=422,
    )
    assert "template_id" in response.json["fields"]


def test_a_city_cannot_read_or_change_another_citys_playlist(template, kaunas_side):
    _org, client, _mine = kaunas_side
    client.get(f"/api/v1/playlists/{template}", status=404)
    client.patch_json(f"/api/v1/playlists/{template}", {"title": "Mine"}, status=404)
    client.get(f"/playlists/{template}", status=404)


def test_template_pages_copy_with_the_mapping_form(template, kaunas_side):
    kaunas_org, client, mine = kaunas_side
    dashboard = client.get(f"/organisations/{kaunas_org.slug}")
    page = dashboard.click(href=f"/playlists/templates/{kaunas_org.slug}")
    assert "Science pathway" in page and "A first hands-on session" in page
    form = _copy_form(page, template)
    selects = [name for name in form.fields if name and name.startswith("map-")]
    form[selects[0]] = str(mine[0].id)
    form["title"] = "Mokslo kelias"
    refused = form.submit(status=422)
    assert "Choose one of your activities for this item." in refused
    assert 'value="Mokslo kelias"' in refused  # what was typed is kept
    form = _copy_form(refused, template)
    for name, activity in zip(selects, mine, strict=False):
        form[name] = str(activity.id)
    edit = form.submit().follow()
    assert "Copied: check the playlist and publish it." in edit and "Mokslo kelias" in edit


def test_template_pages_need_membership(template, kaunas_side, world, kaunas):
    kaunas_org, _client, _mine = kaunas_side
    world.client(kaunas, world.user()).get(f"/playlists/templates/{kaunas_org.slug}", status=403)


def _copy_form(page, template):
    return next(f for f in page.forms.values() if f.action.endswith(f"/{template}"))
