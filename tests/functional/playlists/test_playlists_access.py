"""Who may do what: organisers of the owning organisation build; learners follow; others not."""

from __future__ import annotations

import pytest


@pytest.fixture
def draft(make_playlist, activities):
    return make_playlist(activities[:2], publish=False)


def test_anonymous_cannot_create(world, city, org):
    world.client(city).post_json(
        f"/api/v1/organisations/{org.slug}/playlists", {"title": "x"}, status=403
    )


def test_another_organisation_cannot_create_or_edit(world, city, org, draft):
    outsider = world.client(city, world.organiser(city, world.organisation(city, "Other")))
    outsider.post_json(f"/api/v1/organisations/{org.slug}/playlists", {"title": "x"}, status=403)
    outsider.patch_json(f"/api/v1/playlists/{draft}", {"title": "x"}, status=403)
    outsider.put_json(f"/api/v1/playlists/{draft}/items", {"items": []}, status=403)
    outsider.post(f"/api/v1/playlists/{draft}/publish", status=403)
    outsider.post(f"/api/v1/playlists/{draft}/archive", status=403)
    outsider.get(f"/playlists/{draft}/edit", status=403)


def test_drafts_are_hidden_from_learners(world, city, learner, draft):
    me = world.client(city, learner)
    me.get(f"/api/v1/playlists/{draft}", status=404)
    me.get(f"/playlists/{draft}", status=404)


def test_the_policy_hides_a_draft_from_every_learner_route(world, city, learner, draft, openapi):
    """Visibility is the playlist context's, checked by the security policy for every route that
    needs ``view`` or ``learner``: the views themselves do not check."""
    me = world.client(city, learner)
    refused = openapi(me.post(f"/api/v1/playlists/{draft}/enrolment", status=404))
    assert refused.json["error"] == "There is no such playlist in this city."
    me.get(f"/api/v1/playlists/{draft}/enrolment", status=404)
    page = me.post(f"/playlists/{draft}/start", status=404)
    assert "There is no such playlist in this city." in page.text


def test_a_plain_member_may_edit_but_an_unverified_org_may_not_publish(
    world, city, factories, org, draft
):
    member = world.client(city, world.organiser(city, org, role="member"))
    member.patch_json(f"/api/v1/playlists/{draft}", {"title": "By a member"}, status=200)
    org.verified_at = None
    city.settings = {"unverified_organisations_can_publish": False}
    with factories.within(city):
        factories.session.merge(org)
        factories.save(city)
    member.post(f"/api/v1/playlists/{draft}/publish", status=403)


def test_starting_needs_an_account(world, city, make_playlist, activities):
    playlist = make_playlist(activities[:1])
    world.client(city).post(f"/api/v1/playlists/{playlist}/enrolment", status=403)


def test_read_only_tokens_cannot_write(world, city, factories, org, organiser, draft):
    from col_core.security.models import ApiToken
    from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret

    secret = API_TOKEN_PREFIX + new_secret()
    factories.save(
        ApiToken(user_id=organiser.id, name="ro", scope="read", token_hash=digest(secret))
    )
    reader = world.client(city)
    reader.authorization = ("Bearer", secret)
    reader.get(f"/api/v1/playlists/{draft}", status=200)
    reader.patch_json(f"/api/v1/playlists/{draft}", {"title": "x"}, status=403)


def test_unknown_playlist(world, city):
    response = world.client(city).get("/api/v1/playlists/424242", status=404)
    assert response.json["error"] == "There is no such playlist in this city."


def test_disabled_plugin_is_invisible(world, city, factories, make_playlist, activities):
    playlist = make_playlist(activities[:1])
    city.plugins = ["badges"]
    factories.save(city)
    world.client(city).get(f"/playlists/{playlist}", status=404)
    world.client(city).get("/api/v1/playlists", status=404)
