"""Pure logic of the badges plugin: recipient lists and badge URLs."""

from __future__ import annotations

from plugins.badges.forms import parse_recipients
from plugins.badges.urls import BadgeUrls


def test_recipients_one_a_line_or_csv_with_header_and_bom():
    rows, errors = parse_recipients(
        "\ufeffemail,evidence,narrative\n"
        "Ana@Example.org,https://ex.org/1,Fixed bikes\n\n"
        "bob@example.org\n"
    )
    assert errors == {}
    assert rows == [
        {
            "line": 2,
            "email": "ana@example.org",
            "evidence": [{"url": "https://ex.org/1", "narrative": "Fixed bikes"}],
        },
        {"line": 4, "email": "bob@example.org", "evidence": []},
    ]


def test_recipient_errors_name_their_line():
    rows, errors = parse_recipients(
        "ana@example.org\nnope\nana@example.org\neve@example.org,javascript:alert(1)\n"
    )
    assert [r["line"] for r in rows] == [1]
    assert set(errors) == {2, 3, 4}
    assert "not an email address" in errors[2].interpolate()
    assert "listed twice" in errors[3].interpolate()


def test_badge_urls_start_with_the_tenant_origin():
    urls = BadgeUrls("http://127.0.0.1:6543/t/vilnius")
    assert urls.assertion("ab12") == "http://127.0.0.1:6543/t/vilnius/badges/assertions/ab12"
    assert urls.baked("ab12", 3, "svg").endswith("/badges/assertions/ab12/baked-ob3.svg")
