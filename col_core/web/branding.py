"""A tenant's branding: colours as CSS variables, checked for WCAG AA contrast."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

DEFAULT_COLOURS = {
    "primary": "#1d4ed8",  # links, buttons
    "on_primary": "#ffffff",  # text on primary
    "accent": "#b45309",
    "background": "#ffffff",
    "text": "#1f2937",
}

# Pairs that must reach WCAG 2.1 AA contrast for normal text (4.5:1).
CONTRAST_PAIRS = [("text", "background"), ("on_primary", "primary"), ("primary", "background")]
AA_NORMAL_TEXT = 4.5
AA_NON_TEXT = 3.0  # focus rings and other marks that are not text
# The keyboard's focus ring on the page is the accent colour: it must stand out (WCAG 1.4.11).
NON_TEXT_PAIRS = [("accent", "background")]

# Dark mode (prefers-color-scheme: dark) is the same for every city: these neutral colours, the
# header and buttons in the city's own primary pair (already checked), and links and focus rings
# in the city's primary and accent, lightened until they stand out from the darker surfaces.
DARK_BACKGROUND = "#111827"
DARK_TEXT = "#e5e7eb"
DARK_SURFACE = "#1f2937"  # cards and fields: the lighter of the two dark grounds


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def lightened(colour: str, against: str, ratio: float) -> str:
    """``colour`` mixed with white in small steps until it reaches ``ratio`` against ``against``."""
    channels = [int(colour[start : start + 2], 16) for start in (1, 3, 5)]
    for step in range(21):
        mixed = _mixed_with_white(channels, share=step / 20)
        if contrast_ratio(mixed, against) >= ratio:
            return mixed
    return "#ffffff"


def _mixed_with_white(channels: list[int], share: float) -> str:
    mixed = [round(channel + (255 - channel) * share) for channel in channels]
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def colours_of(tenant) -> dict[str, str]:
    colours = dict(DEFAULT_COLOURS)
    if tenant is not None:
        colours.update((tenant.branding or {}).get("colours", {}))
    return colours


def malformed_colours(colours: dict[str, str]) -> list[str]:
    """Names of known colours whose value is not written like #1d4ed8."""
    return [
        name
        for name, value in colours.items()
        if name in DEFAULT_COLOURS and not HEX_COLOUR.match(str(value))
    ]


def low_contrast(colours: dict[str, str]) -> list[tuple[str, str, float]]:
    """(foreground, background, ratio) of each pair below AA, the defaults filling gaps."""
    merged = {**DEFAULT_COLOURS, **colours}
    pairs = [(fg, bg, contrast_ratio(merged[fg], merged[bg])) for fg, bg in CONTRAST_PAIRS]
    return [(fg, bg, ratio) for fg, bg, ratio in pairs if ratio < AA_NORMAL_TEXT]


def weak_focus(colours: dict[str, str]) -> list[tuple[str, str, float]]:
    """(foreground, background, ratio) of each non-text pair below 3:1 (the focus ring)."""
    merged = {**DEFAULT_COLOURS, **colours}
    pairs = [(fg, bg, contrast_ratio(merged[fg], merged[bg])) for fg, bg in NON_TEXT_PAIRS]
    return [(fg, bg, ratio) for fg, bg, ratio in pairs if ratio < AA_NON_TEXT]


def contrast_problems(colours: dict[str, str]) -> list[str]:
    """Human-readable problems: malformed colours, else pairs below AA contrast."""
    malformed = malformed_colours(colours)
    if malformed:
        return [
            f"colours.{name} must be a colour like #1d4ed8, not {colours[name]!r}"
            for name in malformed
        ]
    merged = {**DEFAULT_COLOURS, **colours}
    text = [
        f"colours.{fg} ({merged[fg]}) on colours.{bg} ({merged[bg]}) has contrast "
        f"{ratio:.2f}:1; WCAG AA needs at least 4.5:1"
        for fg, bg, ratio in low_contrast(colours)
    ]
    focus = [
        f"colours.{fg} ({merged[fg]}) on colours.{bg} ({merged[bg]}) has contrast "
        f"{ratio:.2f}:1; the keyboard's focus ring needs at least 3:1 (WCAG 1.4.11)"
        for fg, bg, ratio in weak_focus(colours)
    ]
    return text + focus


def dark_colours(colours: dict[str, str]) -> dict[str, str]:
    """The variables that dark mode changes, derived from the city's light colours."""
    merged = {**DEFAULT_COLOURS, **colours}
    return {
        "background": DARK_BACKGROUND,
        "text": DARK_TEXT,
        "link": lightened(merged["primary"], DARK_SURFACE, AA_NORMAL_TEXT),
        "focus": lightened(merged["accent"], DARK_SURFACE, AA_NON_TEXT),
    }


def _declarations(colours: dict[str, str]) -> str:
    return "".join(f"--col-{name.replace('_', '-')}:{value};" for name, value in colours.items())


def css_variables(tenant) -> str:
    """The city's colours as CSS variables, and the dark-mode variant of the ones that change."""
    chosen = colours_of(tenant).items()
    colours = {
        **DEFAULT_COLOURS,
        **{name: value for name, value in chosen if HEX_COLOUR.match(str(value))},
    }
    light = {**colours, "link": colours["primary"], "focus": colours["accent"]}
    dark = dark_colours(colours)
    return (
        f":root{{{_declarations(light)}}}"
        f"@media (prefers-color-scheme: dark){{:root{{{_declarations(dark)}}}}}"
    )
