"""Descriptions are sanitised; videos embed only from allow-listed hosts, by id."""

import pytest

from col_core.activities.content import embed_url, plain_text, sanitise_html


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "https://framatube.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        ),
    ],
)
def test_allow_listed_videos_become_embed_urls(url, expected):
    assert embed_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=<script>",
        "https://youtube.com.evil.example/embed/dQw4w9WgXcQ",
        "https://vimeo.com/not-a-number",
        "https://unknown-peertube.example/w/abcdefgh",
        "",
        "http://[::1",
    ],
)
def test_other_urls_are_refused(url):
    assert embed_url(url) is None


def test_a_citys_own_peertube_instance_can_be_allowed():
    assert (
        embed_url("https://tube.city.example/w/abcdef12", ["tube.city.example"])
        == "https://tube.city.example/videos/embed/abcdef12"
    )


def test_sanitiser_keeps_formatting_and_drops_the_rest():
    html = '<h2>Plan</h2><p style="color:red">Bring <em>paper</em><img src=x onerror=alert(1)></p>'
    assert sanitise_html(html) == "<h2>Plan</h2><p>Bring <em>paper</em></p>"
    assert plain_text("<p>Hi <b>there</b></p>") == "Hi there"
