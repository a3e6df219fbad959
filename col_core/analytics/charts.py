"""Server-side SVG charts with pygal: no JavaScript needed, printable, with text alternatives.

Each chart is drawn from the same :class:`Table` as the data table printed under it, so the text
alternative is complete.  Suppressed figures are left out of the chart (a gap, never a number).
"""

from __future__ import annotations

import math
import re

import pygal
from babel.numbers import format_decimal
from markupsafe import Markup
from pygal.style import Style

from col_core.analytics.tables import Suppressed, Table

#: At most this many labels along the x axis: beyond it every n-th is shown, slanted.
MAX_X_LABELS = 12
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    # The page's own text colour, so that the labels read in light and in dark mode alike.
    foreground="currentColor",
    foreground_strong="currentColor",
    foreground_subtle="#9ca3af",
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    colors=("#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#5c940d", "#c2255c"),
)


def _number(value):
    return None if isinstance(value, Suppressed) or not isinstance(value, (int, float)) else value


def render(table: Table, description: str, nonce: str, locale: str = "en") -> Markup:
    """An SVG chart of ``table`` (its first column labels the rows), or "" if it has none.

    ``nonce`` is the response's Content-Security-Policy nonce, which pygal's own stylesheet
    needs to apply inside the page; figures are written as ``locale`` writes numbers."""
    if table.chart not in ("bar", "line") or not table.rows:
        return Markup("")
    kind = pygal.Line if table.chart == "line" else pygal.HorizontalBar
    # A line chart's months run along the x axis: when there are many, show every n-th,
    # slanted, so that no two labels overlap.  Bar charts give each label its own row.
    crowded = table.chart == "line" and len(table.rows) > MAX_X_LABELS // 2
    chart = kind(
        style=_STYLE,
        width=720,
        height=360
        if table.chart == "line"
        else max(200, 34 * len(table.rows) * max(1, len(table.columns) - 1) + 80),
        disable_xml_declaration=True,
        js=[],
        show_legend=len(table.columns) > 2,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=35 if crowded else 0,
        x_labels_major_every=math.ceil(len(table.rows) / MAX_X_LABELS) if crowded else None,
        show_minor_x_labels=not crowded,
        truncate_label=40,
        value_formatter=lambda value: format_decimal(value, locale=locale),
        explicit_size=False,
        dots_size=3,
    )
    chart.title = table.title
    chart.x_labels = [str(row[0]) for row in table.rows]
    for index, (_, label) in enumerate(table.columns[1:], start=1):
        chart.add(label, [_number(row[index]) for row in table.rows])
    # pygal always embeds its tooltip configuration as a <script>; inline in our page it would
    # run, so it goes: the charts need no JavaScript.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    # The policy allows no style attributes, and only stylesheets that carry the nonce.
    svg = svg.replace(' style="opacity: 0"', ' opacity="0"').replace(
        "<style", f'<style nonce="{Markup.escape(nonce)}"'
    )
    # The <svg> is an image whose description is the data table right under it.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(description)}" ', 1)
    return Markup(svg)
