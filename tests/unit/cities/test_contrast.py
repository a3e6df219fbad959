"""Brand colours must be readable: WCAG 2.1 AA contrast (4.5:1) for each text pair."""

import pytest

from col_core.web.branding import contrast_problems, contrast_ratio, css_variables, low_contrast


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
