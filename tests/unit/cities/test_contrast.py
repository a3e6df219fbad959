"""Brand colours must be readable: WCAG 2.1 AA contrast (4.5:1) for each text pair."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from col_core.web.branding import (
    DARK_BACKGROUND,
    DARK_SURFACE,
    HEX_COLOUR,
    contrast_problems,
    contrast_ratio,
    css_variables,
    dark_colours,
    low_contrast,
)


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)


def test_defaults_pass():
    assert contrast_problems({}) == []


def test_failing_pair_is_named_with_its_ratio():
    [(foreground, background, ratio)] = low_contrast({"text": "#777777"})
    assert (foreground, background, round(ratio, 2)) == ("text", "background", 4.48)
    [problem] = contrast_problems({"text": "#777777"})
    assert problem == (
        "colours.text (#777777) on colours.background (#ffffff) has contrast "
        "4.48:1; WCAG AA needs at least 4.5:1"
    )


def test_a_light_primary_fails_both_of_its_pairs():
    pairs = [(fg, bg) for fg, bg, _ in low_contrast({"primary": "#ffdd00"})]
    assert pairs == [("on_primary", "primary"), ("primary", "background")]


def test_malformed_colour_is_reported_before_contrast():
    assert contrast_problems({"primary": "red"}) == [
        "colours.primary must be a colour like #1d4ed8, not 'red'"
    ]


def test_css_variables_skip_malformed_values():
    class Tenant:
        branding = {"colours": {"primary": "#005a32", "accent": "url(javascript:x)"}}

    css = css_variables(Tenant())
    assert "--col-primary:#005a32;" in css and "javascript" not in css


# No deadline: a loaded test machine is slow, and this is about colours, not speed.
@settings(deadline=None)
@given(
    primary=st.from_regex(HEX_COLOUR, fullmatch=True),
    accent=st.from_regex(HEX_COLOUR, fullmatch=True),
)
def test_dark_mode_links_and_focus_rings_stand_out_whatever_the_city_chose(primary, accent):
    dark = dark_colours({"primary": primary, "accent": accent})
    for ground in (DARK_SURFACE, DARK_BACKGROUND):
        assert contrast_ratio(dark["link"], ground) >= 4.5
        assert contrast_ratio(dark["focus"], ground) >= 3
    assert contrast_ratio(dark["text"], DARK_SURFACE) >= 4.5


def test_dark_mode_keeps_the_city_hue_and_changes_only_what_it_must():
    css = css_variables(None)
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    assert "--col-link:#1d4ed8;" in light and "--col-focus:#b45309;" in light
    # The default blue, lightened just enough: still blue, not white.
    assert "--col-link:#6c8ce6;" in dark and "--col-background:#111827;" in dark
    assert "--col-primary" not in dark  # the header and buttons keep the city's checked pair


def test_a_focus_ring_must_stand_out_from_the_page():
    assert contrast_problems({"accent": "#f5f5f5"}) == [
        "colours.accent (#f5f5f5) on colours.background (#ffffff) has contrast 1.09:1; "
        "the keyboard's focus ring needs at least 3:1 (WCAG 1.4.11)"
    ]
    assert contrast_problems({"accent": "#8a4b00"}) == []
