"""A tenant's own texts, per language, with the fallbacks visitors see."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from col_core.tenancy.launch import LEGAL_PAGES

# CommonMark without raw HTML: city staff write Markdown, never markup that could run script.
_markdown = MarkdownIt("commonmark", {"html": False})


def tenant_text(tenant, locale: str, key: str) -> str:
    """``key`` (site_title, welcome_title, welcome_text, footer) in ``locale``, or ""."""
    return ((tenant.branding or {}).get("texts") or {}).get(locale, {}).get(key, "")


def legal_text(tenant, page: str, locale: str) -> tuple[str, str] | None:
    """(text, language) of a legal page in ``locale``, else in the tenant's default language."""
    if page not in LEGAL_PAGES:
        return None
    pages = tenant.setting("legal", {}) or {}
    for language in (locale, tenant.default_locale):
        if pages.get(language, {}).get(page):
            return pages[language][page], language
    return None


def render_markdown(text: str) -> Markup:
    return Markup(nh3.clean(_markdown.render(text)))
