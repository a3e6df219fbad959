"""Cards of discovery with pictures: the home page's picks and the map page's list show an
activity's cover in its widths, or its category's icon."""

from __future__ import annotations

import mercantile

from col_core.pictures.interfaces import IPictures
from tests.functional.activities.test_cover_pictures import jpeg


def test_home_and_map_list_show_the_cover_or_the_category_icon(
    testapp, factories, activities, tenant_request
):
    city = factories.tenant(
        "vilnius",
        settings={"categories": [{"slug": "arts"}, {"slug": "robots", "icon": "science"}]},
    )
    with tenant_request(city) as request:
        key = request.find_service(IPictures).upload(jpeg((800, 600)))
    activities(city, title="Dance workshop", cover=key)
    activities(city, title="Robot league", category="robots")
    app = testapp.for_tenant(city)
    for page, section in ((app.get("/"), "happening-soon"), (app.get("/map/"), "results")):
        found = page.html.find(id=section)
        picture = found.find("img", srcset=True)
        assert picture["alt"] == ""  # the title beside it says what it is
        assert picture["loading"] == "lazy" and picture["width"] == "800"
        assert [part.split()[1] for part in picture["srcset"].split(", ")] == [
            "320w",
            "640w",
            "800w",
        ]
        icon = found.find("span", class_="cover-icon").find("svg")
        assert icon["aria-hidden"] == "true"
        assert len(icon.find_all("path")) == 2  # the science icon the city chose for robots


def test_the_map_feeds_carry_each_points_picture_for_the_list_the_script_draws(
    testapp, factories, activities, tenant_request
):
    """After a pan the list is drawn from the GeoJSON alone: each point brings its picture."""
    city = factories.tenant("vilnius")
    with tenant_request(city) as request:
        key = request.find_service(IPictures).upload(jpeg((800, 600)))
    pictured = activities(city, title="Dance workshop", cover=key)
    activities(city, title="Robot league", lat=54.6875, lon=25.2800)
    app = testapp.for_tenant(city)
    tile = mercantile.tile(pictured.longitude, pictured.latitude, 15)
    feeds = (
        app.get("/api/v1/activities.geojson").json,
        app.get(f"/api/v1/map/tiles/15/{tile.x}/{tile.y}.geojson").json,
    )
    for collection in feeds:
        by_title = {f["properties"]["title"]: f["properties"] for f in collection["features"]}
        cover = by_title["Dance workshop"]["cover"]
        assert cover["sizes"] == "4rem"  # a thumbnail: the narrowest width will do
        assert (cover["width"], cover["height"]) == ("800", "600")
        widths = [part.split()[1] for part in cover["srcset"].split(", ")]
        assert widths == ["320w", "640w", "800w"]
        assert app.get(cover["src"]).content_type.startswith("image/")
        assert "cover" not in by_title["Robot league"]  # its category's icon, in the page
