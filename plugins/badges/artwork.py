"""Badge images generated from the city's branding colours, the badge's icon and its name.

Used when an organiser uploads no image.  Every badge gets a design of its own, chosen by its
name: an outline (disc, hexagon, octagon, shield or rosette), a number of studs round its ring
and a turn, so two badges of a city are told apart at a glance, in a wallet too.  The SVG and
its PNG twin (OB 2.0 backpacks bake into PNG) are drawn from the same geometry: the PNG traces
the icon's SVG path with ``svg.path`` and Pillow, four times larger, then scales down smoothly.
"""

from __future__ import annotations

import cmath
import hashlib
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from markupsafe import Markup
from PIL import Image, ImageDraw
from pyramid.i18n import TranslationStringFactory
from svg.path import Close, Line, Move, parse_path

from col_core.activities.icons import FALLBACK as FALLBACK_ICON
from col_core.activities.icons import icon_svg
from col_core.web.public import colours_of

# Simple 24x24 path icons, drawn in the "on primary" colour inside the badge's outline.
ICONS = {
    "star": "M12 2l3 6.9 7.5.7-5.7 5 1.7 7.4L12 18.1 5.5 22l1.7-7.4-5.7-5 7.5-.7z",
    "check": "M9 16.2l-4.2-4.2L3.4 13.4 9 19 21 7l-1.4-1.4z",
    "heart": "M12 21l-1.5-1.3C5 15 2 12.3 2 8.5 2 5.4 4.4 3 7.5 3c1.7 0 3.4.8 4.5 2.1"
    "C13.1 3.8 14.8 3 16.5 3 19.6 3 22 5.4 22 8.5c0 3.8-3 6.5-8.5 11.2z",
    "book": "M4 3h7v18H4a1 1 0 01-1-1V4a1 1 0 011-1zm9 0h7a1 1 0 011 1v16a1 1 0 01-1 1h-7z",
    "bolt": "M13 2L4 14h7l-1 8 9-12h-7z",
}
_ = TranslationStringFactory("col_badges")
CATEGORY = "category"  # the icon of the badge's activity's category (line art, stroked)
ICON_CHOICES = (CATEGORY, *sorted(ICONS))
ICON_NAMES = {
    CATEGORY: _("The activity's category icon"),
    "star": _("Star"),
    "check": _("Tick"),
    "heart": _("Heart"),
    "book": _("Book"),
    "bolt": _("Lightning"),
}
SIZE = 256
CENTRE = SIZE / 2
SHAPES = ("disc", "hexagon", "octagon", "shield", "rosette")
OUTER, RING, STUDS_AT, STUD = 120, 104, 80, 4.5  # radii, in the 256-pixel square
ICON_AT, ICON_SCALE = 56, 6  # the 24x24 icon drawn at (56, 56), six times larger
SUPERSAMPLE = 4  # the PNG is drawn this many times larger, then scaled down (smooth edges)
Point = tuple[float, float]


@dataclass(frozen=True)
class Design:
    """What tells one generated badge from another of the same city."""

    shape: str
    studs: int  # small dots between the ring and the icon
    turn: float  # degrees the outline and the studs are turned by


def design_of(name: str) -> Design:
    """The badge's design, the same for the same name wherever it is drawn."""
    digest = hashlib.sha256(" ".join(name.casefold().split()).encode()).digest()
    return Design(SHAPES[digest[0] % len(SHAPES)], 6 + digest[1] % 10, digest[2] % 12 * 7.5)


def _polar(radius: float, degrees: float) -> Point:
    at = complex(CENTRE, CENTRE) + cmath.rect(radius, math.radians(degrees - 90))
    return (at.real, at.imag)


# The shield's outline for a radius of 1: a flat top, then its rounded point (half an ellipse).
UNIT_SHIELD = [(-0.9, -0.92), (0.9, -0.92)] + [
    (0.9 * math.cos(step * math.pi / 24), 0.2 + 0.78 * math.sin(step * math.pi / 24))
    for step in range(25)
]


def _shield(radius: float) -> list[Point]:
    return [(CENTRE + x * radius, CENTRE + y * radius) for x, y in UNIT_SHIELD]


def _polygon(radius: float, corners: int, turn: float) -> list[Point]:
    return [_polar(radius, turn + i * 360 / corners) for i in range(corners)]


def _round(radius: float, waves: int, turn: float) -> list[Point]:
    """A disc (no waves) or a rosette's scalloped edge."""
    points = []
    for step in range(144):
        degrees = step * 2.5
        wave = 0.05 * math.cos(math.radians(degrees * waves))
        points.append(_polar(radius * (1 + wave), degrees + turn))
    return points


def outline(design: Design, radius: float) -> list[Point]:
    """The badge's outline at ``radius`` from the centre, as a closed polygon."""
    if design.shape == "shield":
        return _shield(radius)
    if design.shape == "hexagon":
        return _polygon(radius, 6, design.turn)
    if design.shape == "octagon":
        return _polygon(radius, 8, design.turn)
    return _round(radius, 16 if design.shape == "rosette" else 0, design.turn)


def studs(design: Design) -> list[Point]:
    return _polygon(STUDS_AT, design.studs, design.turn)


def _points(polygon: list[Point]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in polygon)


def _studs_svg(design: Design) -> str:
    return "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{STUD}"/>' for x, y in studs(design))


PLACED = f'transform="translate({ICON_AT} {ICON_AT}) scale({ICON_SCALE})"'
STROKED = 'fill="none" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'


def _icon_svg(icon: str, category_paths: tuple[str, ...], colour: str) -> str:
    if icon != CATEGORY:
        return f'<path {PLACED} d="{ICONS.get(icon, ICONS["star"])}" fill="{colour}"/>'
    lines = "".join(f'<path d="{d}"/>' for d in category_paths)
    return f'<g {PLACED} {STROKED} stroke="{colour}">{lines}</g>'


def generated_svg(tenant, name: str, icon: str = "star", category_paths=()) -> bytes:
    colours, design = colours_of(tenant), design_of(name)
    label = escape(name, {'"': "&quot;"})
    dots = _studs_svg(design)
    body, ring = _points(outline(design, OUTER)), _points(outline(design, RING))
    primary, accent, on_primary = colours["primary"], colours["accent"], colours["on_primary"]
    drawn = _icon_svg(icon, category_paths, on_primary)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-label="{label}">'
        f"<title>{escape(name)}</title>"
        f'<polygon points="{body}" fill="{primary}"/>'
        f'<polygon points="{ring}" fill="none" stroke="{accent}" stroke-width="10" '
        f'stroke-linejoin="round"/>'
        f'<g fill="{accent}">{dots}</g>'
        f"{drawn}</svg>"
    ).encode()


def _traced(segment) -> list[Point]:
    """Points along one path segment (its end for a straight line), in the 256-pixel square."""
    steps = 1 if isinstance(segment, (Move, Line, Close)) else 12
    points = (segment.point(step / steps) for step in range(1, steps + 1))
    return [(ICON_AT + p.real * ICON_SCALE, ICON_AT + p.imag * ICON_SCALE) for p in points]


def icon_polygons(path: str) -> list[list[Point]]:
    """An icon's path traced as polygons (one per subpath) in the 256-pixel square."""
    polygons: list[list[Point]] = []
    for segment in parse_path(path):
        if isinstance(segment, Move):
            polygons.append(_traced(segment))  # the subpath's start point
        else:
            polygons[-1].extend(_traced(segment))
    return [polygon for polygon in polygons if len(polygon) > 1]


def _large(polygon: list[Point]) -> list[Point]:
    return [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in polygon]


def _draw_ring(draw, design: Design, colour: str) -> None:
    ring = _large(outline(design, RING))
    # Round past the start, so the first corner is joined like the others.
    draw.line([*ring, *ring[:2]], fill=colour, width=10 * SUPERSAMPLE, joint="curve")


def _draw_studs(draw, design: Design, colour: str) -> None:
    r = STUD * SUPERSAMPLE
    for x, y in _large(studs(design)):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _draw_icon(draw, icon: str, colour: str) -> None:
    for polygon in icon_polygons(ICONS.get(icon, ICONS["star"])):
        draw.polygon(_large(polygon), fill=colour)


def _round_end(draw, at: Point, width: float, colour: str) -> None:
    x, y, r = at[0], at[1], width / 2
    draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _draw_lines(draw, paths: tuple[str, ...], colour: str) -> None:
    """Line art (a category icon): each subpath stroked 2 units wide with round ends."""
    width = 2 * ICON_SCALE * SUPERSAMPLE
    for path in paths:
        for line in icon_polygons(path):
            points = _large(line)
            draw.line(points, fill=colour, width=width, joint="curve")
            _round_end(draw, points[0], width, colour)
            _round_end(draw, points[-1], width, colour)


def _draw_badge(draw, design: Design, icon: str, colours: dict, category_paths) -> None:
    draw.polygon(_large(outline(design, OUTER)), fill=colours["primary"])
    _draw_ring(draw, design, colours["accent"])
    _draw_studs(draw, design, colours["accent"])
    if icon == CATEGORY:
        _draw_lines(draw, category_paths, colours["on_primary"])
    else:
        _draw_icon(draw, icon, colours["on_primary"])


def generated_png(tenant, name: str, icon: str = "star", category_paths=()) -> bytes:
    colours = colours_of(tenant)
    palette = (colours["primary"], colours["accent"], colours["on_primary"])
    return _drawn_png(palette, name, icon, tuple(category_paths))


@lru_cache(maxsize=256)
def _drawn_png(palette: tuple[str, str, str], name: str, icon: str, category_paths) -> bytes:
    """The PNG of these inputs, kept: drawing one takes tens of milliseconds, and the same
    badge's image is asked for by every page, backpack and baked download."""
    colours = dict(zip(("primary", "accent", "on_primary"), palette, strict=True))
    image = Image.new("RGBA", (SIZE * SUPERSAMPLE,) * 2)  # transparent
    _draw_badge(ImageDraw.Draw(image), design_of(name), icon, colours, category_paths)
    return _png_bytes(image.resize((SIZE, SIZE), Image.Resampling.LANCZOS))


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def icon_preview(icon: str) -> Markup:
    """A small inline drawing of an icon choice for the badge form (hidden from assistive
    technology: its name stands beside it)."""
    if icon == CATEGORY:
        return icon_svg(FALLBACK_ICON)
    return Markup(
        '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
        f'<path d="{ICONS[icon]}" fill="currentColor"/></svg>'
    )
