"""Safe content for activity pages: sanitised rich text and allow-listed video embeds."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import nh3

# Enough for a readable description; no images, styles or scripts (covers are uploaded apart).
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "blockquote",
    "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{1,12}$")
_PEERTUBE_ID = re.compile(r"^[A-Za-z0-9-]{6,64}$")
# PeerTube is federated: only instances named here (or in the tenant's settings) are trusted.
PEERTUBE_HOSTS = {"framatube.org", "peertube.tv", "tube.tchncs.de", "video.blender.org"}


def embed_sources(extra_peertube_hosts=()) -> list[str]:
    """Every origin :func:`embed_url` can point an iframe at (the pages' frame-src)."""
    peertube = sorted(PEERTUBE_HOSTS | set(extra_peertube_hosts))
    return [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        *(f"https://{host}" for host in peertube),
    ]


def sanitise_html(html: str) -> str:
    """Keep simple formatting and links; links get rel="noopener noreferrer nofollow"."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(rich: str) -> str:
    """The text of sanitised HTML: tags dropped and entities decoded, ready to be escaped once
    wherever it is shown (a page, a feed, a search index)."""
    return html.unescape(nh3.clean(rich or "", tags=set())).strip()


def embed_url(url: str, extra_peertube_hosts=()) -> str | None:
    """The safe iframe URL for a video page on an allow-listed host, or None if not allowed.

    Only the video's id is carried over, into a URL we build ourselves, so nothing a user typed
    (other paths, query strings, javascript:) ever reaches the iframe's ``src``.
    """
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [piece for piece in parts.path.split("/") if piece]
    video_id: str | None = None
    if host == "youtube.com" or host == "youtube-nocookie.com":
        if path[:1] == ["watch"]:
            video_id = next(iter(parse_qs(parts.query).get("v", [])), None)
        elif len(path) == 2 and path[0] in ("embed", "shorts", "live"):
            video_id = path[1]
        if video_id and _YOUTUBE_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host == "youtu.be" and len(path) == 1 and _YOUTUBE_ID.match(path[0]):
        return f"https://www.youtube-nocookie.com/embed/{path[0]}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        video_id = path[-1] if path else ""
        if _VIMEO_ID.match(video_id):
            return f"https://player.vimeo.com/video/{video_id}"
    elif host in PEERTUBE_HOSTS | set(extra_peertube_hosts):
        if (
            len(path) == 2
            and path[0] in ("w", "embed")
            or (len(path) == 3 and path[:2] in (["videos", "watch"], ["videos", "embed"]))
        ):
            video_id = path[-1]
            if _PEERTUBE_ID.match(video_id):
                return f"https://{host}/videos/embed/{video_id}"
    return None
