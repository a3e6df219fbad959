"""Badge images generated from the city's branding colours and a chosen icon (SVG and PNG).

Used when an organiser uploads no image.  The SVG is the badge's image; the PNG twin exists
because OB 2.0 backpacks expect a PNG to bake into.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

from col_core.web.public import colours_of

# Simple 24x24 path icons, drawn in the "on primary" colour inside the badge's disc.
ICONS = {
    "star": "M12 2l3 6.9 7.5.7-5.7 5 1.7 7.4L12 18.1 5.5 22l1.7-7.4-5.7-5 7.5-.7z",
    "check": "M9 16.2l-4.2-4.2L3.4 13.4 9 19 21 7l-1.4-1.4z",
    "heart": "M12 21l-1.5-1.3C5 15 2 12.3 2 8.5 2 5.4 4.4 3 7.5 3c1.7 0 3.4.8 4.5 2.1"
    "C13.1 3.8 14.8 3 16.5 3 19.6 3 22 5.4 22 8.5c0 3.8-3 6.5-8.5 11.2z",
    "book": "M4 3h7v18H4a1 1 0 01-1-1V4a1 1 0 011-1zm9 0h7a1 1 0 011 1v16a1 1 0 01-1 1h-7z",
    "bolt": "M13 2L4 14h7l-1 8 9-12h-7z",
}
SIZE = 256


def generated_svg(tenant, name: str, icon: str = "star") -> bytes:
    colours = colours_of(tenant)
    path = ICONS.get(icon, ICONS["star"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" '
        f'height="256" role="img" aria-label="{escape(name, {chr(34): "&quot;"})}">'
        f"<title>{escape(name)}</title>"
        f'<circle cx="128" cy="128" r="120" fill="{colours["primary"]}"/>'
        f'<circle cx="128" cy="128" r="104" fill="none" stroke="{colours["accent"]}" '
        f'stroke-width="10"/>'
        f'<path transform="translate(56 56) scale(6)" d="{path}" fill="{colours["on_primary"]}"/>'
        f"</svg>"
    ).encode()


def _inset(margin: int) -> tuple[int, int, int, int]:
    """The box ``margin`` pixels inside the image's edges."""
    return (margin, margin, SIZE - margin, SIZE - margin)


def generated_png(tenant) -> bytes:
    colours = colours_of(tenant)
    transparent = (0, 0, 0, 0)
    image = Image.new("RGBA", (SIZE, SIZE), transparent)
    draw = ImageDraw.Draw(image)
    draw.ellipse(_inset(8), fill=colours["primary"])
    draw.ellipse(_inset(24), outline=colours["accent"], width=10)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
