"""``col i18n``: extract messages, update and compile catalogs, check they are complete."""

from __future__ import annotations

import click

from col_core.cli.context import AppContext, pass_app
from col_core.i18n import PLATFORM_LOCALES, extraction, glossary


def _domains(app: AppContext, only: tuple[str, ...]) -> list[extraction.Domain]:
    found = extraction.domains(app.plugins)
    if not only:
        return found
    names = [domain.name for domain in found]
    unknown = sorted(set(only) - set(names))
    if unknown:
        message = f"unknown domain {', '.join(unknown)}; known: {', '.join(names)}"
        raise click.BadParameter(message, param_hint="--domain")
    return [domain for domain in found if domain.name in only]


_domain_option = click.option(
    "--domain", "only", multiple=True, help="Only this domain (col, col_map, ...); repeatable."
)


@click.group()
def i18n() -> None:
    """Translations: message catalogs of the core and every plugin (docs/translating.md)."""


@i18n.command()
@_domain_option
@pass_app
def extract(app: AppContext, only) -> None:
    """Write a fresh .pot template for each domain from the source code."""
    for domain in _domains(app, only):
        template = extraction.extract(domain)
        extraction.write_template(domain, template)
        click.echo(f"{domain.name}: {len(template)} messages -> {domain.pot_path}")


@i18n.command()
@_domain_option
@click.option(
    "--add",
    "add",
    multiple=True,
    metavar="LANG",
    help="Also create catalogs for this language (e.g. --add it); repeatable.",
)
@pass_app
def update(app: AppContext, only, add) -> None:
    """Extract, then merge the new .pot into every language's .po (new strings left empty)."""
    required = [lang for lang in PLATFORM_LOCALES if lang != extraction.SOURCE_LANGUAGE]
    for domain in _domains(app, only):
        written = extraction.update(domain, add_languages=[*required, *add])
        click.echo(f"{domain.name}: updated {len(written) - 1} catalogs")


@i18n.command("compile")
@_domain_option
@pass_app
def compile_(app: AppContext, only) -> None:
    """Compile .po to .mo (the server also does this at start-up)."""
    compiled = extraction.compile_all(_domains(app, only))
    click.echo(f"Compiled {len(compiled)} catalogs.")


@i18n.command()
@_domain_option
@pass_app
def check(app: AppContext, only) -> None:
    """Fail when a .pot is stale, a translation is missing, placeholders differ, or a
    translation breaks its language's glossary (locales/glossary.toml), in the catalogs or in
    the texts shipped beside them (example cities, StarterKit template, demo)."""
    domains = _domains(app, only)
    problems = extraction.check(domains, PLATFORM_LOCALES) + glossary.check(domains)
    problems += glossary.shipped_content_problems()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(
            f"{len(problems)} translation problems; run `col i18n update`, then translate "
            "the empty entries and use the glossary's words (docs/translating.md)."
        )
    click.echo("Every catalog is up to date and complete.")
