"""Cover pictures: checked, stripped of metadata, stored in several widths, served to the city
that owns them only; bad files refused with the old cover kept (docs/design.md, "Pictures")."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image
from webtest import Upload

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size=(1600, 1200), orientation: int | None = None, gps: bool = True) -> bytes:
    """A photo as a phone sends it: EXIF with where it was taken (and how it was held)."""
    image = Image.new("RGB", size, "teal")
    image.paste("orange", (0, 0, size[0] // 2, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (54.0, 41.0, 2.0), 3: "E", 4: (25.0, 17.0, 1.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A tiny PNG whose header claims ``side`` × ``side`` pixels (900 million)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side // 8 + 1) * 16, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><script>alert(1)</script></svg>'


def upload(client, activity_id: int, data: bytes, name="cover.jpg", status=303, **fields):
    form = client.get(f"/activities/{activity_id}/edit").forms["activity-form"]
    form["cover_file"] = Upload(name, data, "image/jpeg")
    for field, value in fields.items():
        form[field] = value
    return form.submit("action", value="save", status=status)


def cover_of(client, activity_id: int) -> str | None:
    return client.get(f"/api/v1/activities/{activity_id}").json["cover_url"]


def srcset(page_text: str) -> list[tuple[str, int]]:
    found = re.search(r'srcset="([^"]+)"', page_text)
    assert found, "no srcset"
    return [(url, int(width[:-1])) for url, width in (p.split() for p in found[1].split(", "))]


def test_a_photo_is_stored_without_its_exif_in_four_widths(make_activity, staff, people, city):
    activity = make_activity(title="Murals")
    upload(staff, activity.id, jpeg(), cover_alt="Children painting a wall")
    url = cover_of(staff, activity.id)
    assert url.endswith(".jpg")
    largest = Image.open(io.BytesIO(staff.get(url).body))
    assert largest.size == (1280, 960)
    assert not largest.getexif() and "exif" not in largest.info
    page = people.client(city).get(f"/activities/{activity.id}")
    widths = srcset(page.text)
    assert [width for _url, width in widths] == [320, 640, 960, 1280]
    for variant, width in widths:
        image = Image.open(io.BytesIO(staff.get(variant).body))
        assert image.format == "WEBP" and image.width == width
        assert not image.getexif() and "exif" not in image.info
    assert 'alt="Children painting a wall"' in page.text
    assert 'width="1280" height="960"' in page.text


def test_the_photo_is_turned_upright_from_its_exif_orientation(make_activity, staff):
    activity = make_activity()
    upload(staff, activity.id, jpeg((600, 300), orientation=6))
    stored = Image.open(io.BytesIO(staff.get(cover_of(staff, activity.id)).body))
    assert stored.size == (300, 600)


def test_a_small_picture_is_not_enlarged(make_activity, staff, people, city):
    activity = make_activity()
    upload(staff, activity.id, jpeg((500, 400)))
    widths = srcset(people.client(city).get(f"/activities/{activity.id}").text)
    assert [width for _url, width in widths] == [320, 500]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"#!/bin/sh\necho hi\n", "This file is not a picture"),
        (SVG, "This file is not a picture"),
        (png_bomb(), "This picture has too many pixels"),
        (jpeg()[:2000], "This file is not a picture"),
        (jpeg((40, 30)), "This picture is too small"),
        (jpeg((1200, 100)), "too narrow or too wide"),
        (b"", "The file is empty."),
    ],
    ids=["script", "svg", "png-bomb", "truncated", "tiny", "banner", "empty"],
)
def test_a_bad_file_is_refused_and_the_old_cover_kept(make_activity, staff, data, message):
    activity = make_activity()
    upload(staff, activity.id, jpeg((800, 600)))
    before = cover_of(staff, activity.id)
    page = upload(staff, activity.id, data, status=422 if message else 303)
    if message:
        assert message in page.text and 'id="e-cover"' in page.text
        assert 'aria-invalid="true"' in page.text
    assert cover_of(staff, activity.id) == before


def test_a_file_over_the_size_limit_is_refused_with_the_limit(make_activity, staff):
    activity = make_activity()
    page = upload(staff, activity.id, b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), status=422)
    assert "This file is too large; the limit is 10 MB." in page.text
    assert cover_of(staff, activity.id) is None


def test_the_refusal_is_in_the_persons_language(make_activity, staff):
    activity = make_activity()
    staff.set_cookie("col_locale", "lt")
    form = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["cover_file"] = Upload("x.svg", SVG, "image/svg+xml")
    page = form.submit("action", value="save", status=422)
    assert "This file is not a picture" not in page.text
    assert "paveiksl" in page.text.lower()


def test_the_cover_can_be_removed_and_the_category_icon_shows(make_activity, staff, people, city):
    activity = make_activity(category="arts")
    upload(staff, activity.id, jpeg((800, 600)), cover_alt="A mural")
    form = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["cover_remove"] = True
    form.submit("action", value="save", status=303)
    assert cover_of(staff, activity.id) is None
    assert staff.get(f"/api/v1/activities/{activity.id}").json["cover_alt"] == ""
    assert "srcset" not in people.client(city).get(f"/activities/{activity.id}").text


def test_files_are_served_with_a_year_of_caching_and_an_etag(make_activity, staff, people, city):
    activity = make_activity()
    upload(staff, activity.id, jpeg((800, 600)))
    url = cover_of(staff, activity.id)
    visitor = people.client(city)
    response = visitor.get(url)
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["ETag"].strip('"') in url
    again = visitor.get(url, headers={"If-None-Match": response.headers["ETag"]}, status=304)
    assert not again.body


def test_another_citys_site_does_not_serve_the_pictures(make_activity, staff, people, factories):
    activity = make_activity()
    upload(staff, activity.id, jpeg((800, 600)))
    keys = [cover_of(staff, activity.id)] + [
        url for url, _width in srcset(staff.get(f"/activities/{activity.id}").text)
    ]
    other = people.client(factories.tenant("riga"))
    for url in keys:
        other.get("/files/" + url.rsplit("/", 1)[1], status=404)


def test_a_learner_cannot_upload_a_cover(make_activity, people, city):
    activity = make_activity()
    learner = people.client(city, people.user("someone"))
    learner.get(f"/activities/{activity.id}/edit", status=403)
    learner.post(
        f"/activities/{activity.id}/edit",
        {"action": "save"},
        upload_files=[("cover_file", "cover.jpg", jpeg((800, 600)))],
        status=403,
    )


def test_an_organiser_of_another_organisation_cannot_upload(make_activity, people, city):
    activity = make_activity()
    other_org = people.organisation(city, name="Chess Club")
    outsider = people.client(city, people.member(city, other_org, people.user("rival")))
    outsider.get(f"/activities/{activity.id}/edit", status=403)


def org_form(client, org):
    page = client.get(f"/organisations/{org.slug}/edit")
    return next(form for form in page.forms.values() if "cover_file" in form.fields)


def test_the_organisation_page_shows_its_cover(people, city, org, organiser):
    client = people.client(city, organiser)
    form = org_form(client, org)
    form["cover_file"] = Upload("cover.jpg", jpeg((800, 600)), "image/jpeg")
    form["cover_alt"] = "Our workshop"
    form.submit(status=303)
    page = people.client(city).get(f"/organisations/{org.slug}")
    assert 'alt="Our workshop"' in page.text and "srcset=" in page.text
    form = org_form(client, org)
    form["cover_file"] = Upload("cover.svg", SVG, "image/svg+xml")
    page = form.submit(status=400)
    assert "This file is not a picture" in page.text
    form = org_form(client, org)
    form["cover_remove"] = True
    form.submit(status=303)
    assert "srcset=" not in people.client(city).get(f"/organisations/{org.slug}").text
