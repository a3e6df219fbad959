import io
import json

import pytest
from PIL import Image

from plugins.badges.ob import baking


def _pixels(png):
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    return image.size, image.tobytes()


@pytest.mark.parametrize(
    "version,value",
    [
        (2, "https://city.example/badges/assertions/1"),
        (2, "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"),
        (3, {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Fahrräder ✓"}),
        (3, "eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6MX0.c2ln"),
    ],
)
def test_png_round_trip_preserves_image(png_bytes, version, value):
    baked = baking.bake_png(png_bytes, value, version)
    assert _pixels(baked) == _pixels(png_bytes)
    # The original bytes are all still there: only one chunk was spliced in after IHDR.
    assert baked[:33] == png_bytes[:33] and baked.endswith(png_bytes[33:])
    key = b"openbadges\x00\x00\x00" if version == 2 else b"openbadgecredential\x00\x00\x00"
    assert key in baked  # iTXt, compression flag 0 (the specs forbid compression)
    out = baking.unbake(baked)
    assert out.version == version and out.image_type == "png"
    expected = value if isinstance(value, str) else value
    assert (json.loads(out.value) if isinstance(value, dict) else out.value) == expected


def test_png_already_baked_and_not_png(png_bytes):
    baked = baking.bake_png(png_bytes, "https://x.example/a/1")
    with pytest.raises(baking.AlreadyBakedError):
        baking.bake_png(baked, "https://x.example/a/2")
    assert baking.unbake_png(png_bytes) is None
    with pytest.raises(baking.BakingError):
        baking.unbake_png(b"\x89PNG\r\n\x1a\nbroken")


def test_svg_ob2_round_trip(svg_bytes):
    url = "https://city.example/a/1?x=1&y=2"
    baked = baking.bake_svg(svg_bytes, url, 2)
    text = baked.decode()
    assert (
        'data-x="a>b" xmlns:openbadges="http://openbadges.org">\n<openbadges:assertion'
    ) in text  # declared on <svg>, element right after it
    assert '<openbadges:assertion verify="https://city.example/a/1?x=1&amp;y=2">' in text
    assert '<circle cx="5" cy="5" r="4"/></svg>' in text and 'data-x="a>b"' in text
    out = baking.unbake(baked)
    assert (out.version, out.value, out.image_type) == (2, url, "svg")
    with pytest.raises(baking.AlreadyBakedError):
        baking.bake_svg(baked, url, 2)


def test_svg_ob3_round_trip_with_cdata(svg_bytes):
    credential = {"name": "tricky ]]> text", "n": "<b>&"}
    baked = baking.bake_svg(svg_bytes, credential, 3)
    text = baked.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    assert "<openbadges:credential><![CDATA[" in text
    assert json.loads(baking.unbake_svg(baked).value) == credential
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6MX0.c2ln"
    baked_jwt = baking.bake_svg(svg_bytes, jwt, 3)
    assert f'<openbadges:credential verify="{jwt}">' in baked_jwt.decode()
    assert baking.unbake(baked_jwt).value == jwt


MALICIOUS = [
    # billion laughs
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    # external entity (file disclosure)
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    # a bare DTD
    b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
]


@pytest.mark.parametrize("svg", MALICIOUS)
def test_malicious_svg_rejected(svg):
    with pytest.raises(baking.BakingError):
        baking.unbake_svg(svg)
    with pytest.raises(baking.BakingError):
        baking.bake_svg(svg, "https://x.example/a/1")


def test_svg_without_badge_and_broken_svg(svg_bytes):
    assert baking.unbake_svg(svg_bytes) is None
    with pytest.raises(baking.BakingError):
        baking.unbake_svg(b"<svg><unclosed></svg>")
