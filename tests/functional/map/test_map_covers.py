"""Cards of discovery with pictures: the home page's picks and the map page's list show an
activity's cover in its widths, or its category's icon."""

from __future__ import annotations

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
