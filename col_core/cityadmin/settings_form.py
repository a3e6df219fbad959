"""The branding and texts form: flat field names, parsing with field errors, applying.

Field names: ``colour.<name>``, ``<asset>`` (file uploads: logo, favicon, cover),
``text.<lang>.<key>`` and ``legal.<lang>.<page>``.  The same rules as launching a tenant
folder apply (WCAG AA contrast, text length), so the two ways of editing never disagree.
"""

from __future__ import annotations

from col_core.i18n import _
from col_core.storage import UploadRejected
from col_core.tenancy.launch import ASSET_KEYS, LEGAL_PAGES, MAX_TEXT, TEXT_KEYS
from col_core.web.branding import (
    DEFAULT_COLOURS,
    colours_of,
    low_contrast,
    malformed_colours,
    weak_focus,
)


def form_values(tenant) -> dict[str, str]:
    """The tenant's current values under the form's field names."""
    values = {f"colour.{name}": value for name, value in colours_of(tenant).items()}
    values.update(_text_values(tenant))
    values.update(_legal_values(tenant))
    return values


def _text_values(tenant) -> dict[str, str]:
    """``text.<lang>.<key>`` of each language, the site's title among them."""
    texts = (tenant.branding or {}).get("texts") or {}
    site_titles = tenant.names or {}
    values = {}
    for locale in tenant.locales:
        texts_here = texts.get(locale, {})
        for key in TEXT_KEYS:
            values[f"text.{locale}.{key}"] = texts_here.get(key, "")
        values[f"text.{locale}.site_title"] = site_titles.get(locale, "")
    return values


def _legal_values(tenant) -> dict[str, str]:
    """``legal.<lang>.<page>`` of each language."""
    legal = tenant.setting("legal", {}) or {}
    values = {}
    for locale in tenant.locales:
        pages = legal.get(locale, {})
        for page in LEGAL_PAGES:
            values[f"legal.{locale}.{page}"] = pages.get(page, "")
    return values


def _focus_errors(colours: dict[str, str]) -> dict[str, str]:
    return {
        f"colour.{foreground}": _(
            "The keyboard's focus ring in ${foreground} hardly shows on ${background} "
            "(contrast ${ratio}:1). Choose a colour with a contrast of at least 3:1.",
            mapping={
                "foreground": foreground,
                "background": background,
                "ratio": format(ratio, ".2f"),
            },
        )
        for foreground, background, ratio in weak_focus(colours)
    }


def parse(tenant, post, files) -> tuple[dict, dict[str, str], dict[str, str]]:
    """Return (changes, kept values, errors) from the submitted form."""
    values = {name: post.get(name, "").strip() for name in form_values(tenant)}
    errors: dict[str, str] = {}
    colours = {name: values[f"colour.{name}"].lower() for name in DEFAULT_COLOURS}
    for name in malformed_colours(colours):
        errors[f"colour.{name}"] = _("Choose a colour written like #1d4ed8.")
    if not errors:
        errors.update(_focus_errors(colours))
        for foreground, background, ratio in low_contrast(colours):
            errors.setdefault(
                f"colour.{foreground}",
                _(
                    "${foreground} on ${background} is hard to read (contrast ${ratio}:1). "
                    "Choose colours with a contrast of at least 4.5:1 (WCAG AA).",
                    mapping={
                        "foreground": foreground,
                        "background": background,
                        "ratio": format(ratio, ".2f"),
                    },
                ),
            )
    for name, value in values.items():
        if len(value) > MAX_TEXT:
            errors[name] = _("Use at most ${limit} characters.", mapping={"limit": MAX_TEXT})
    assets = {}
    for key in ASSET_KEYS:
        upload = post.get(key)
        if getattr(upload, "file", None) is None:
            continue
        try:
            assets[key] = files.put(
                upload.file.read(), {"image", "svg"}, purpose="branding", visibility="public"
            )
        except UploadRejected as error:
            errors[key] = str(error)
    changes = {"colours": colours, "assets": assets, "values": values}
    return changes, values, errors


def apply(tenant, changes: dict) -> None:
    """Store parsed changes; new dicts so that SQLAlchemy sees the JSON columns change."""
    values = changes["values"]
    branding = dict(tenant.branding or {})
    branding["colours"] = changes["colours"]
    branding.update(changes["assets"])
    # An uploaded picture no longer has a file in the tenant folder; export names it anew.
    branding["files"] = {
        key: path
        for key, path in (branding.get("files") or {}).items()
        if key not in changes["assets"]
    }
    texts, legal, names = {}, {}, {}
    for locale in tenant.locales:
        own = {
            key: values[f"text.{locale}.{key}"]
            for key in TEXT_KEYS
            if key != "site_title" and values[f"text.{locale}.{key}"]
        }
        if own:
            texts[locale] = own
        if values[f"text.{locale}.site_title"]:
            names[locale] = values[f"text.{locale}.site_title"]
        pages = {
            page: values[f"legal.{locale}.{page}"]
            for page in LEGAL_PAGES
            if values[f"legal.{locale}.{page}"]
        }
        if pages:
            legal[locale] = pages
    branding["texts"] = texts
    tenant.branding = branding
    tenant.names = names
    tenant.settings = {**(tenant.settings or {}), "legal": legal}
