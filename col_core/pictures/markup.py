"""``cover_image(...)`` in templates: a cover in its stored widths, or the category's icon.

Every image gets ``width`` and ``height`` (the stored size; its box is kept by CSS
``aspect-ratio``), so nothing moves when it arrives; ``srcset`` and ``sizes`` let the browser
take the narrowest width that is sharp on its screen; ``loading="lazy"`` unless the caller says
the picture is in the first screen.  docs/design.md, "Pictures".
"""

from __future__ import annotations

from functools import partial

from jinja2 import pass_context
from markupsafe import Markup, escape

from col_core.activities.icons import FALLBACK, category_icon_name, icon_svg
from col_core.activities.schemas.fields import category_slugs
from col_core.pictures.interfaces import IPictures

#: A card is the whole width of a phone's screen less the margins, and about 20 rem from the
#: width where cards go two or more a row.
CARD_SIZES = "(min-width: 40rem) 20rem, calc(100vw - 2rem)"
#: The picture at the top of an activity, organisation or playlist page.
PAGE_SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
#: The thumbnail beside a title in the map's list (``.list-cover``: 4 rem wide).
THUMB_SIZES = "4rem"
SIZES = {"card": CARD_SIZES, "page": PAGE_SIZES, "thumb": THUMB_SIZES}
#: The box of a cover stored before covers were re-encoded, whose size is unknown.
LEGACY_SIZE = (640, 360)


def cover_html(
    request,
    key: str | None,
    category: str | None = None,
    *,
    alt: str = "",
    sizes: str = "card",
    lazy: bool = True,
    css_class: str = "card-cover",
) -> Markup:
    """The ``<img>`` of cover ``key``, or the icon of ``category`` when there is none.
    ``sizes``: "card", "page", "thumb" or a ``sizes`` attribute of its own."""
    if not key:
        return category_icon(request, category, css_class)
    picture = request.find_service(IPictures).of([key]).get(key)
    attributes = {"class": css_class, "alt": alt, **_sources(request, key, picture, sizes)}
    attributes["decoding"] = "async"
    if lazy:
        attributes["loading"] = "lazy"
    return _element("img", attributes)


def cover_sources(request, keys, sizes: str = "thumb") -> dict[str, dict[str, str]]:
    """{key: src, srcset, sizes, width and height} of each cover of ``keys``, in one look-up:
    what a script needs to draw the same ``<img>`` as ``cover_html`` (the map's list)."""
    pictures = request.find_service(IPictures).of(list(keys))
    return {key: _sources(request, key, pictures.get(key), sizes) for key in keys}


def _sources(request, key: str, picture, sizes: str) -> dict[str, str]:
    url = partial(request.route_url, "file")
    if picture is None:
        return {"src": url(key=key), **_size(*LEGACY_SIZE)}
    return {
        "src": url(key=key),
        "srcset": picture.srcset(lambda k: url(key=k)),
        "sizes": SIZES.get(sizes, sizes),
        **_size(picture.width, picture.height),
    }


def _size(width: int, height: int) -> dict[str, str]:
    return {"width": str(width), "height": str(height)}


def _element(name: str, attributes: dict[str, str]) -> Markup:
    pairs = [f'{attribute}="{escape(value)}"' for attribute, value in attributes.items()]
    return Markup(f"<{name} {' '.join(pairs)}>")


def category_icon(request, category: str | None, css_class: str) -> Markup:
    """The category's icon in the box a picture would have (decorative: the title is beside)."""
    name = category_icon_name(getattr(request, "tenant", None), category)
    return Markup(f'<span class="{escape(css_class)} cover-icon">{icon_svg(name, 48)}</span>')


def icon_set(request, css_class: str) -> Markup:
    """The icon of each of the city's categories (``data-category``) and the fallback
    (``data-fallback``), for a page's script to copy into what it draws (the map's list)."""
    tenant = getattr(request, "tenant", None)
    slugs = category_slugs(tenant) if tenant is not None else []
    spans = [
        f'<span class="{escape(css_class)} cover-icon" data-category="{escape(slug)}">'
        f"{icon_svg(category_icon_name(tenant, slug), 48)}</span>"
        for slug in slugs
    ]
    spans.append(
        f'<span class="{escape(css_class)} cover-icon" data-fallback>{icon_svg(FALLBACK, 48)}</span>'
    )
    return Markup("".join(spans))


@pass_context
def category_icon_set(context, css_class="list-cover") -> Markup:
    return icon_set(context["request"], css_class)


@pass_context
def cover_image(context, key, category=None, **options) -> Markup:
    return cover_html(context["request"], key, category, **options)
