"""Message catalogs for every translation domain: extract, update, and check them.

The core translates in the domain ``col`` (sources in ``col_core/``, catalogs in ``locales/``);
each plugin in ``col_<name>`` (sources in its package, catalogs in its ``locale/`` folder).
Languages are discovered: a language is "in" the platform when any domain has a catalog for it,
and every such language must then be complete in every domain.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

import col_core
from col_core.i18n.catalogs import compile_catalogs

REPOSITORY = Path(col_core.__file__).resolve().parents[1]
MAPPING_FILE = REPOSITORY / "babel.cfg"
# Pyramid's localizer.pluralize(singular, plural, n) is a gettext call too.
KEYWORDS = {**DEFAULT_KEYWORDS, "pluralize": (1, 2)}
PROJECT = "Cities of Learning"
# Messages are written in English, so English needs no catalog.
SOURCE_LANGUAGE = "en"
# %(name)s (templates), ${name} and $name (Pyramid), {name} (str.format) and bare %s / %d.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\$\{\w+\}|\$[A-Za-z_]\w*|\{\w*\}")


@dataclass(frozen=True)
class Domain:
    name: str
    source_dir: Path
    locale_dir: Path

    @property
    def pot_path(self) -> Path:
        return self.locale_dir / f"{self.name}.pot"

    def po_path(self, language: str) -> Path:
        return self.locale_dir / language / "LC_MESSAGES" / f"{self.name}.po"

    def languages(self) -> list[str]:
        found = self.locale_dir.glob(f"*/LC_MESSAGES/{self.name}.po")
        return sorted(path.parts[-3] for path in found)


def domains(plugin_registry) -> list[Domain]:
    """The core's domain and one per installed plugin, ``col_<plugin name>``."""
    from col_core.i18n import LOCALES_DIR

    core_dir = _package_dir(col_core)
    found = [Domain("col", core_dir, LOCALES_DIR)]
    for name, plugin in sorted(plugin_registry.plugins.items()):
        package_dir = _package_dir(plugin.package)
        found.append(Domain(f"col_{name}", package_dir, package_dir / "locale"))
    return found


def _package_dir(package) -> Path:
    return Path(package.__file__).resolve().parent


def languages(all_domains: list[Domain], required=()) -> list[str]:
    """Every language with a catalog in any domain, plus ``required``, minus English."""
    found = {*required, *(lang for domain in all_domains for lang in domain.languages())}
    return sorted(found - {SOURCE_LANGUAGE})


def extract(domain: Domain) -> Catalog:
    """A fresh template catalog from the domain's sources."""
    with MAPPING_FILE.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    catalog = Catalog(project=PROJECT, domain=domain.name, fuzzy=False)
    skip = {domain.locale_dir.name, "tests", "__pycache__", "static"}
    for filename, lineno, message, comments, context in extract_from_dir(
        domain.source_dir,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=lambda path: Path(path).name not in skip,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    # File names without line numbers: stable diffs while other code moves around.
    write_po(
        buffer, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False
    )
    content = buffer.getvalue()
    # Leave an unchanged catalog alone, so that re-extracting does not churn its date.
    if path.exists() and _without_date(path.read_bytes()) == _without_date(content):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _without_date(content: bytes) -> list[bytes]:
    return [line for line in content.splitlines() if not line.startswith(b'"POT-Creation-Date')]


def write_template(domain: Domain, template: Catalog) -> None:
    _write(domain.pot_path, template)


def update(domain: Domain, add_languages=()) -> list[Path]:
    """Write a fresh ``.pot`` and merge it into every catalog (creating ``add_languages``)."""
    template = extract(domain)
    write_template(domain, template)
    written = [domain.pot_path]
    for language in sorted({*domain.languages(), *add_languages}):
        path = domain.po_path(language)
        catalog = (
            _read(path, language)
            if path.exists()
            else Catalog(locale=language, domain=domain.name, project=PROJECT, fuzzy=False)
        )
        # No fuzzy guesses: a wrong translation shown to a learner is worse than a missing one.
        catalog.update(template, no_fuzzy_matching=True)
        _write(path, catalog)
        written.append(path)
    return written


def compile_all(all_domains: list[Domain]) -> list[Path]:
    return [
        path for domain in all_domains for path in compile_catalogs(domain.locale_dir, domain.name)
    ]


def _key(message) -> tuple:
    return (message.id, message.context)


def placeholders(text: str | None) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def stale_problems(domain: Domain) -> list[str]:
    """How the committed ``.pot`` differs from a fresh extraction (ignoring locations)."""
    if not domain.pot_path.exists():
        return [f"{domain.pot_path}: missing; run `col i18n update`"]
    committed = {_key(m) for m in _read(domain.pot_path) if m.id}
    fresh = {_key(m) for m in extract(domain) if m.id}
    problems = [
        f"{domain.pot_path}: new message not extracted yet: {_show(key)}"
        for key in sorted(fresh - committed, key=str)
    ]
    problems += [
        f"{domain.pot_path}: message no longer in the code: {_show(key)}"
        for key in sorted(committed - fresh, key=str)
    ]
    return problems


def translation_problems(domain: Domain, language: str) -> list[str]:
    """Messages of the ``.pot`` missing, fuzzy or with other placeholders in ``language``."""
    path = domain.po_path(language)
    if not path.exists():
        return [f"{path}: missing; run `col i18n update --add {language}` and translate it"]
    if not domain.pot_path.exists():
        return []
    catalog = _read(path, language)
    problems = []
    for wanted in _read(domain.pot_path):
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, context=wanted.context)
        forms = (
            []
            if message is None
            else (
                list(message.string)
                if isinstance(message.string, (list, tuple))
                else [message.string]
            )
        )
        if message is None or message.fuzzy or not forms or not all(forms):
            problems.append(f"{path}: not translated: {_show(_key(wanted))}")
            continue
        sources = [wanted.id] if isinstance(wanted.id, str) else list(wanted.id)
        expected = set().union(*map(placeholders, sources))
        found = set().union(*map(placeholders, forms))
        # A singular form may leave out the count ("one badge"), so compare the union of forms.
        if found - expected or placeholders(sources[-1]) - found:
            problems.append(
                f"{path}: placeholders differ in {_show(_key(wanted))}: "
                f"expected {sorted(expected)}, found {sorted(found)}"
            )
    return problems


def check(all_domains: list[Domain], required_languages=()) -> list[str]:
    problems = []
    for domain in all_domains:
        problems += stale_problems(domain)
        for language in languages(all_domains, required_languages):
            problems += translation_problems(domain, language)
    return problems


def _show(key: tuple) -> str:
    message_id, context = key
    text = message_id if isinstance(message_id, str) else " | ".join(message_id)
    return repr(text) + (f" (context {context!r})" if context else "")
