"""Category icons: the city's choice, else the icon named like the slug, else the fallback;
every icon is path data a drawing can reuse (the badges plugin's generated art)."""

from __future__ import annotations

import re

from col_core.activities.icons import (
    FALLBACK,
    ICONS,
    category_icon_name,
    category_icon_paths,
    icon_svg,
)


class City:
    def __init__(self, categories):
        self.categories = categories

    def setting(self, name, default=None):
        return self.categories if name == "categories" else default


CITY = City(
    [{"slug": "robots", "icon": "science"}, {"slug": "sport"}, {"slug": "odd", "icon": "?"}]
)


def test_the_citys_choice_wins():
    assert category_icon_name(CITY, "robots") == "science"


def test_a_slug_named_like_an_icon_gets_that_icon():
    assert category_icon_name(CITY, "sport") == "sport"


def test_anything_else_gets_the_fallback():
    assert category_icon_name(CITY, "odd") == FALLBACK
    assert category_icon_name(CITY, None) == FALLBACK
    assert category_icon_name(None, "arts") == "arts"


def test_the_paths_are_the_icons_path_data():
    assert category_icon_paths(CITY, "robots") == ICONS["science"]
    for name, paths in ICONS.items():
        assert paths, name
        for data in paths:
            assert re.fullmatch(r"M[0-9MmLlHhVvCcSsQqTtAaZz .,\-]+", data), (name, data)


def test_the_inline_svg_is_hidden_from_assistive_technology():
    svg = icon_svg("music", 32)
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg and 'width="32"' in svg
    assert svg.count("<path") == len(ICONS["music"])
    assert icon_svg("no-such-icon").count("<path") == len(ICONS[FALLBACK])
