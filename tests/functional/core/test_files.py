"""Stored files have owners: private files reach only those allowed, on their own city's site.

Finding 7 of issue #14: evidence and verification documents were served at
``/files/<sha256>.<ext>`` to anyone, on every city's host, cached publicly for a year, and still
after the account was deleted.  Each test uploads through the real forms and then requests the
file as the outside attack did (anonymous, another learner, another city's host, after the
account's deletion), and as each person who must see it.  Each runs with the files in the local
directory and in an S3 bucket.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select
from webtest import Upload

from col_core.files.models import StoredFile
from col_core.security.passwords import hash_password
from col_core.storage import storage_factory
from plugins.badges.testing import badges  # noqa: F401 - the fixture

PASSWORD = "correct horse battery"
NOT_FOUND = 404


def png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


# Every test runs on the local directory and on an S3 bucket (a real S3 endpoint, moto's server).
pytestmark = pytest.mark.parametrize("file_storage", ["local", "s3"], indirect=True)


@pytest.fixture
def world(badges, people, factories, file_storage):  # noqa: F811
    city = badges.tenant
    other = factories.tenant("kaunas")
    hashed = hash_password(PASSWORD)
    learner = people.user("learner", password_hash=hashed)
    organiser = people.user("organiser")
    people.member(city, badges.organisation, organiser)
    admin = people.city_admin(city)
    other_admin = people.city_admin(other)
    badge = badges.badge_class(earning="evidence", review="organiser", tasks=["Fix a bike"])
    return {
        "city": city,
        "other": other,
        "learner": learner,
        "organiser": organiser,
        "admin": admin,
        "other_admin": other_admin,
        "stranger": people.user("stranger"),
        "badge": badge,
    }


def submit_evidence(people, world, colour="red") -> str:
    """The learner uploads evidence through the badge's page; returns the file's key."""
    app = people.client(world["city"], world["learner"])
    app.post(
        f"/badges/classes/{world['badge']}/evidence",
        {"task": "0", "text": "Done"},
        upload_files=[("file", "bike.png", png(colour))],
        status=303,
    )
    [stored] = stored_rows(people.factories, world["city"], purpose="evidence")
    assert stored.visibility == "private" and stored.owner_id == world["learner"].id
    return stored.key


def stored_rows(factories, city, **criteria) -> list[StoredFile]:
    factories.session.expire_all()
    with factories.within(city):
        return list(factories.session.scalars(select(StoredFile).filter_by(**criteria)))


def message(response) -> str:
    return response.html.select_one(".error-page p").get_text(strip=True)


def fetch(app, key, status):
    return app.get(f"/files/{key}", status=status)


def test_evidence_is_hidden_from_everyone_not_allowed(testapp, people, world):
    key = submit_evidence(people, world)
    city, other = world["city"], world["other"]
    fetch(testapp.for_tenant(city), key, NOT_FOUND)  # anonymous
    fetch(people.client(city, world["stranger"]), key, NOT_FOUND)  # another learner
    fetch(people.client(city, world["other_admin"]), key, NOT_FOUND)  # another city's admin
    # Another city's site, even for the owner and that city's admin.
    fetch(testapp.for_tenant(other), key, NOT_FOUND)
    fetch(people.client(other, world["learner"]), key, NOT_FOUND)
    fetch(people.client(other, world["other_admin"]), key, NOT_FOUND)
    # A made-up key answers the same: existence is not told.
    missing = testapp.for_tenant(city).get("/files/" + "0" * 64 + ".png", status=NOT_FOUND)
    hidden = testapp.for_tenant(city).get(f"/files/{key}", status=NOT_FOUND)
    assert message(missing) == message(hidden) == "No such file."


def test_evidence_reaches_its_owner_reviewers_and_city_admins_uncached(testapp, people, world):
    key = submit_evidence(people, world)
    for who in ("learner", "organiser", "admin"):
        response = fetch(people.client(world["city"], world[who]), key, 200)
        assert response.body == png("red"), who
        assert set(response.headers["Cache-Control"].replace(" ", "").split(",")) == {
            "private",
            "no-store",
        }, who


def test_peer_reviewers_see_evidence_waiting_for_their_review(testapp, people, world, badges):  # noqa: F811
    world["badge"] = badges.badge_class(
        name="Peer", earning="evidence", review="peer", peer_reviews_required=1, tasks=["Teach"]
    )
    key = submit_evidence(people, world, colour="blue")
    fetch(people.client(world["city"], world["stranger"]), key, 200)
    fetch(testapp.for_tenant(world["city"]), key, NOT_FOUND)


def test_verification_documents_are_for_the_city_and_the_organisation(
    testapp, people, world, badges
):  # noqa: F811
    city, organisation = world["city"], badges.organisation
    owner = people.user("owner")
    people.member(city, organisation, owner, role="owner")
    app = people.client(city, owner)
    form = next(
        f
        for f in app.get(f"/organisations/{organisation.slug}/edit").forms.values()
        if "verification_document" in f.fields
    )
    document = b"%PDF-1.4\n% registration certificate\n"
    form["verification_document"] = Upload("certificate.pdf", document, "application/pdf")
    form.submit(status=303)
    [stored] = stored_rows(people.factories, city, purpose="verification")
    assert stored.visibility == "private"
    world["member"] = people.member(city, organisation, people.user("member"), role="member")
    for who, status in (
        ("admin", 200),
        ("organiser", 200),  # the city; another owner
        ("member", NOT_FOUND),
        ("stranger", NOT_FOUND),
        ("other_admin", NOT_FOUND),
    ):
        fetch(people.client(city, world[who]), stored.key, status)
    fetch(app, stored.key, 200)  # the uploader
    fetch(testapp.for_tenant(city), stored.key, NOT_FOUND)
    fetch(testapp.for_tenant(world["other"]), stored.key, NOT_FOUND)


def test_public_images_are_cached_but_only_on_their_city(testapp, people, world, badges):  # noqa: F811
    city = world["city"]
    app = people.client(city, world["organiser"])
    form = next(
        f for f in app.get(f"/badges/manage/{world['badge']}").forms.values() if "image" in f.fields
    )
    form["image"] = Upload("badge.png", png("green"), "image/png")
    form.submit()
    [stored] = stored_rows(people.factories, city, purpose="badge-image")
    public = fetch(testapp.for_tenant(city), stored.key, 200)
    assert public.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    fetch(testapp.for_tenant(world["other"]), stored.key, NOT_FOUND)


def test_account_pictures_show_in_every_city(testapp, people, world):
    app = people.client(world["city"], world["learner"])
    form = next(f for f in app.get("/account").forms.values() if "picture" in f.fields)
    form["picture"] = Upload("me.png", png("yellow"), "image/png")
    form.submit()
    [stored] = stored_rows(people.factories, world["city"], purpose="picture")
    for city in (world["city"], world["other"]):
        fetch(testapp.for_tenant(city), stored.key, 200)


def test_the_export_holds_the_persons_files(people, world):
    key = submit_evidence(people, world)
    app = people.client(world["city"], world["learner"])
    response = app.post("/account/export", status=200)
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    assert archive.read(f"files/{key}") == png("red")
    assert f"files/{key}" in archive.read("files.json").decode()


def test_deleting_the_account_deletes_its_files(testapp, people, world, registry):
    key = submit_evidence(people, world)
    app = people.client(world["city"], world["learner"])
    form = next(f for f in app.get("/account/privacy").forms.values() if "password" in f.fields)
    form["password"] = PASSWORD
    form["confirm"] = True
    form.submit(status=303)
    for who in ("organiser", "admin"):
        fetch(people.client(world["city"], world[who]), key, NOT_FOUND)
    assert stored_rows(people.factories, world["city"], key=key) == []
    assert not storage_factory(registry.settings).exists(key)  # the bytes are gone


def test_a_shared_file_keeps_its_bytes_while_another_owner_holds_it(
    testapp, people, world, registry
):
    key = submit_evidence(people, world)
    other = people.user("twin", password_hash=hash_password(PASSWORD))
    twin = people.client(world["city"], other)
    twin.post(
        f"/badges/classes/{world['badge']}/evidence",
        {"task": "0", "text": "Same"},
        upload_files=[("file", "bike.png", png("red"))],
        status=303,
    )
    app = people.client(world["city"], world["learner"])
    form = next(f for f in app.get("/account/privacy").forms.values() if "password" in f.fields)
    form["password"], form["confirm"] = PASSWORD, True
    form.submit(status=303)
    assert fetch(twin, key, 200).body == png("red")
    fetch(people.client(world["city"], world["stranger"]), key, NOT_FOUND)
