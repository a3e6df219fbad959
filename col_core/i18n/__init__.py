"""Languages: locale negotiation, translation domains, and locale-aware formatting.

Each package translates in its own gettext domain (the core's is ``col``; a plugin's is
``col_<name>``).  Templates pick their domain from the package they belong to and fall back to
the core's, so a plugin page inherits the translated layout.
"""

from __future__ import annotations

from pathlib import Path

from pyramid.i18n import TranslationStringFactory

from col_core.i18n.catalogs import compile_catalogs, registered_domains
from col_core.i18n.negotiation import LOCALE_COOKIE, negotiate_locale

_ = TranslationStringFactory("col")

#: The languages every user-facing string of the platform is translated into.
PLATFORM_LOCALES = ("en", "de", "es", "lt", "nl", "fr")

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"

__all__ = ["_", "PLATFORM_LOCALES", "LOCALE_COOKIE", "negotiate_locale", "add_translation_domain"]


def add_translation_domain(config, package: str, domain: str, directory: str) -> None:
    """Config directive: ``package``'s templates and messages translate in ``domain``.

    ``directory`` is an asset spec or path holding ``<lang>/LC_MESSAGES/<domain>.po``; stale or
    missing ``.mo`` files are compiled from the ``.po`` files at start-up.
    """
    from pyramid.path import AssetResolver

    resolved = directory
    if ":" in directory:
        resolved = AssetResolver().resolve(directory).abspath()
    registered_domains(config.registry)[package] = domain
    if not Path(resolved).is_dir():
        # A plugin before its first `col i18n update`: its texts show as written.
        return
    compile_catalogs(Path(resolved), domain)
    config.add_translation_dirs(directory)


def includeme(config):
    config.add_directive("add_translation_domain", add_translation_domain)
    config.set_locale_negotiator(negotiate_locale)
    config.add_translation_domain("col_core", "col", str(LOCALES_DIR))
    config.add_route("set_locale", "/language")
    config.scan("col_core.i18n.views")
