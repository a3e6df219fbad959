"""Category icons: one small set of line drawings, shown where an activity has no picture.

Each icon is a list of SVG path data on a 24 × 24 grid, drawn with a 2-unit round stroke and no
fill, so it takes the text colour (``currentColor``) wherever it is shown.  A category's icon is
the one its city chose in ``categories.toml`` (``icon = "music"``), else the one named like its
slug, else :data:`FALLBACK`.  :func:`category_icon_paths` is the public entry point for other
drawings (the badges plugin's generated badge art); :func:`icon_svg` makes the inline element.
"""

from __future__ import annotations

from markupsafe import Markup, escape

VIEWBOX = "0 0 24 24"
FALLBACK = "spark"

ICONS: dict[str, tuple[str, ...]] = {
    # a painter's palette
    "arts": (
        "M12 3a9 9 0 1 0 0 18c1.1 0 1.6-.8 1.6-1.6 0-.5-.2-.8-.4-1.1-.3-.3-.4-.7-.4-1.1"
        " 0-.9.7-1.6 1.6-1.6H16a5 5 0 0 0 5-5c0-4.2-4-7.6-9-7.6z",
        "M7.5 11.5h.01M9.5 7.5h.01M14.5 7.5h.01M17 11h.01",
    ),
    # two people
    "community": (
        "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2",
        "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
        "M22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8",
    ),
    # a screen
    "digital": ("M3 4h18v12H3z", "M8 21h8M12 16v5"),
    # a leaf
    "nature": ("M11 20A7 7 0 0 1 4 13c0-6 5-9 16-9 0 11-3 16-9 16z", "M4 21c3-6 6-9 11-12"),
    # a ball
    "sport": (
        "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
        "M12 3a14 14 0 0 0 0 18M12 3a14 14 0 0 1 0 18M3 12h18",
    ),
    # a briefcase
    "work": ("M3 7h18v13H3z", "M16 20V5a2 2 0 0 0-2-2h-4a2 2 0 0 0-2 2v15"),
    # an open book
    "learning": (
        "M2 4h6a4 4 0 0 1 4 4v13a3 3 0 0 0-3-3H2z",
        "M22 4h-6a4 4 0 0 0-4 4v13a3 3 0 0 1 3-3h7z",
    ),
    # a note
    "music": (
        "M9 18V5l12-2v13",
        "M6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
        "M18 19a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    ),
    # a flask
    "science": (
        "M9 3h6M10 3v6L4 19a1.5 1.5 0 0 0 1.3 2h13.4A1.5 1.5 0 0 0 20 19l-6-10V3",
        "M7 15h10",
    ),
    # a speech bubble
    "language": ("M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z",),
    # a pot
    "food": ("M4 10h16v5a6 6 0 0 1-6 6h-4a6 6 0 0 1-6-6z", "M2 10h20M9 3v3M12 3v3M15 3v3"),
    # a heart
    "health": (
        "M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21l7.8-7.5"
        " 1-1.1a5.5 5.5 0 0 0 0-7.8z",
    ),
    # a four-pointed spark: any other category
    "spark": ("M12 2l2.4 7.6L22 12l-7.6 2.4L12 22l-2.4-7.6L2 12l7.6-2.4z",),
}


def icon_names() -> list[str]:
    """Every icon a city may choose for a category (``icon = "..."`` in categories.toml)."""
    return sorted(ICONS)


def category_icon_name(tenant, slug: str | None) -> str:
    """The icon of ``tenant``'s category ``slug``: the city's choice, the icon named like the
    slug, else the fallback (also for no category)."""
    for entry in (tenant.setting("categories", []) if tenant is not None else None) or []:
        if isinstance(entry, dict) and entry.get("slug") == slug and entry.get("icon") in ICONS:
            return entry["icon"]
    return slug if slug in ICONS else FALLBACK


def category_icon_paths(tenant, slug: str | None) -> tuple[str, ...]:
    """The SVG path data (24 × 24 grid, stroked, no fill) of the category's icon: for any
    drawing of a category, such as generated badge art."""
    return ICONS[category_icon_name(tenant, slug)]


def icon_svg(name: str, size: int = 24, css_class: str = "icon") -> Markup:
    """An inline ``<svg>`` of icon ``name`` (the fallback for an unknown name), hidden from
    assistive technology: it always stands beside text that says the same."""
    paths = "".join(f'<path d="{escape(d)}"/>' for d in ICONS.get(name, ICONS[FALLBACK]))
    return Markup(
        f'<svg class="{escape(css_class)}" viewBox="{VIEWBOX}" width="{size}" height="{size}"'
        ' fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"'
        f' stroke-linejoin="round" aria-hidden="true" focusable="false">{paths}</svg>'
    )
