"""Baking: carrying a badge inside its own PNG or SVG image, and getting it back out.

=========  ===============================================  =====================================
version    PNG                                              SVG
=========  ===============================================  =====================================
OB 2.0     iTXt ``openbadges``: assertion URL (hosted)      ``<openbadges:assertion verify="...">``
           or compact JWS (signed)                          ns ``http://openbadges.org``
OB 3.0     iTXt ``openbadgecredential``: credential JSON    ``<openbadges:credential>`` with the
           or VC-JWT                                        JSON in CDATA, or ``verify="<JWT>"``;
                                                            ns ``https://purl.imsglobal.org/ob/v3p0``
=========  ===============================================  =====================================

The image itself is preserved byte for byte: the PNG chunk is spliced in after IHDR and the SVG
element is inserted after the root start tag, rather than re-encoding either. An image that is
already baked is refused (the specifications let the implementer choose error or overwrite;
the platform always bakes from the clean badge image). SVG input with a DTD, entities or
external references is refused before anything else is done with it.
"""

from __future__ import annotations

import io
import json
import xml.parsers.expat
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, PngImagePlugin

__all__ = [
    "OB2_PNG_KEY",
    "OB3_PNG_KEY",
    "OB2_SVG_NS",
    "OB3_SVG_NS",
    "Baked",
    "BakingError",
    "AlreadyBakedError",
    "bake_png",
    "unbake_png",
    "bake_svg",
    "unbake_svg",
    "bake",
    "unbake",
]

OB2_PNG_KEY = "openbadges"
OB3_PNG_KEY = "openbadgecredential"
OB2_SVG_NS = "http://openbadges.org"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_AFTER_IHDR = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, 13 data bytes, CRC


class BakingError(ValueError):
    """The image is not a PNG/SVG we can read, or it is unsafe (DTD, entities)."""


class AlreadyBakedError(BakingError):
    """The image already carries a badge of this version."""


@dataclass(frozen=True)
class Baked:
    """What an image carries: ``version`` 2 or 3 and the text value.

    For OB 2.0 ``value`` is an assertion URL or a JWS; for OB 3.0 the credential JSON or a
    VC-JWT. ``image_type`` is ``"png"`` or ``"svg"``.
    """

    version: int
    value: str
    image_type: str


def _serialise(value: str | dict) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------- PNG


def _open_png(data: bytes) -> Image.Image:
    if not data.startswith(_PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    try:
        image = Image.open(io.BytesIO(data))
        # Pillow only warns between MAX_IMAGE_PIXELS (set by the app from col.max_image_pixels)
        # and twice that: refuse there too, before decoding a decompression bomb.
        limit = Image.MAX_IMAGE_PIXELS  # None would mean no limit; the app always sets one.
        if limit is not None and image.width * image.height > limit:
            raise BakingError("the image has too many pixels")
        image.load()  # text chunks after IDAT are only read once the image data is.
    except Exception as exc:  # Pillow raises many types for broken or hostile files
        raise BakingError(f"unreadable PNG: {exc}") from exc
    return image


def bake_png(png: bytes, value: str | dict, version: int = 2) -> bytes:
    """The PNG with an uncompressed iTXt chunk holding ``value`` (str, or a dict as JSON)."""
    key = OB2_PNG_KEY if version == 2 else OB3_PNG_KEY
    existing = getattr(_open_png(png), "text", {})
    if key in existing:
        raise AlreadyBakedError(f"PNG already has an {key!r} chunk")
    info = PngImagePlugin.PngInfo()
    info.add_itxt(key, _serialise(value), zip=False)  # the specs forbid compression here
    chunk = io.BytesIO()
    for chunk_type, payload, _after_idat in info.chunks:
        PngImagePlugin.putchunk(chunk, chunk_type, payload)
    # The new chunk goes right after the image header.
    head, rest = png[:_AFTER_IHDR], png[_AFTER_IHDR:]
    return head + chunk.getvalue() + rest


def unbake_png(png: bytes) -> Baked | None:
    """The badge a PNG carries (OB 3.0 preferred when both are present), or None."""
    text = getattr(_open_png(png), "text", {})
    for version, key in ((3, OB3_PNG_KEY), (2, OB2_PNG_KEY)):
        if key in text:
            return Baked(version, str(text[key]), "png")
    return None


# ---------------------------------------------------------------------------------- SVG


def _parse_svg(svg: bytes):
    try:
        # forbid_dtd also rules out internal entity definitions (billion laughs) and
        # external entities; defusedxml refuses them before expansion.
        return SafeET.fromstring(svg, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise BakingError(f"SVG refused: {exc.__class__.__name__}: {exc}") from exc


def _root_start_tag_end(svg: bytes) -> int:
    """Byte offset of the ``>`` closing the root element's start tag."""
    parser = xml.parsers.expat.ParserCreate()
    found: list[int] = []

    def start(name, attrs):
        if not found:
            found.append(parser.CurrentByteIndex)
            raise StopIteration  # no need to read further

    parser.StartElementHandler = start
    try:
        parser.Parse(svg, True)
    except StopIteration:
        pass
    if not found:
        raise BakingError("SVG has no root element")
    quote = None
    for i in range(found[0], len(svg)):
        ch = svg[i : i + 1]
        if quote:
            if ch == quote:
                quote = None
        elif ch in (b'"', b"'"):
            quote = ch
        elif ch == b">":
            if svg[i - 1 : i] == b"/":
                raise BakingError("SVG root element is empty")
            return i
    raise BakingError("SVG root start tag is not closed")


def bake_svg(svg: bytes | str, value: str | dict, version: int = 2) -> bytes:
    """The SVG with a baked badge element inserted directly after the root start tag.

    OB 2.0: ``value`` (an assertion URL or JWS) goes in ``verify``. OB 3.0: a JWT goes in
    ``verify``; a credential (dict or JSON text) goes in the element body as CDATA.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    root = _parse_svg(data)
    if version == 2:
        ns, local = OB2_SVG_NS, "assertion"
    else:
        ns, local = OB3_SVG_NS, "credential"
    baked_before = root.find(f".//{{{ns}}}{local}")
    if baked_before is not None:
        raise AlreadyBakedError(f"SVG already has an openbadges:{local} element")
    element = _baked_element(local, _serialise(value), version).encode("utf-8")
    end = _root_start_tag_end(data)
    head = _with_namespace(data[:end], ns)
    after_start_tag = data[end + 1 :]
    return head + b">\n" + element + after_start_tag


def _baked_element(local: str, text: str, version: int) -> str:
    """The ``openbadges:`` element: the value in ``verify``, or a credential as CDATA."""
    if version == 2 or not text.lstrip().startswith("{"):
        return f"<openbadges:{local} verify={quoteattr(text)}></openbadges:{local}>"
    # "]]>" cannot appear inside CDATA; split it across two sections.
    body = text.replace("]]>", "]]]]><![CDATA[>")
    return f"<openbadges:{local}><![CDATA[{body}]]></openbadges:{local}>"


def _with_namespace(head: bytes, ns: str) -> bytes:
    """The root start tag (without its ``>``), declaring the openbadges prefix as ``ns``."""
    declared = f"xmlns:openbadges={quoteattr(ns)}".encode()
    if b"xmlns:openbadges" not in head:
        return head + b" " + declared
    single_quoted = f"xmlns:openbadges='{ns}'".encode()
    if declared not in head and single_quoted not in head:
        raise BakingError("SVG binds the openbadges prefix to another namespace")
    return head


def unbake_svg(svg: bytes | str) -> Baked | None:
    """The badge an SVG carries (OB 3.0 preferred), or None; unsafe XML raises BakingError."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    root = _parse_svg(data)
    for version, ns, local in ((3, OB3_SVG_NS, "credential"), (2, OB2_SVG_NS, "assertion")):
        element = root.find(f".//{{{ns}}}{local}")
        if element is None:
            continue
        verify = element.get("verify")
        body = (element.text or "").strip()
        # A JWS/JWT or (OB 2.0) URL goes in verify; an OB 3.0 credential (and, from some OB 2.0
        # bakers, the assertion JSON) in the body.
        value = verify or body
        if value:
            return Baked(version, value.strip(), "svg")
    return None


def bake(image: bytes, value: str | dict, version: int) -> bytes:
    """Bake into a PNG or an SVG, whichever ``image`` is."""
    if image.startswith(_PNG_SIGNATURE):
        return bake_png(image, value, version)
    return bake_svg(image, value, version)


def unbake(image: bytes) -> Baked | None:
    """Unbake a PNG or an SVG, whichever ``image`` is."""
    if image.startswith(_PNG_SIGNATURE):
        return unbake_png(image)
    return unbake_svg(image)
