"""``col esco import`` and ``col esco search``."""

from __future__ import annotations

import time

import click
import orjson

from col_core.activities.search import skills_relabelled
from col_core.cli.context import AppContext, pass_app
from plugins.esco import reader as r
from plugins.esco.importer import Importer, ImportProblem, Progress, detect_version
from plugins.esco.interfaces import ATTRIBUTION
from plugins.esco.services.search import SkillSearch


def _languages(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


@click.group()
def esco() -> None:
    """The ESCO classification: import it, search it."""


def import_download(
    session,
    path: str,
    languages=None,
    version: str | None = None,
    progress: Progress | None = None,
    request=None,
):
    """Import ``path`` in the session's transaction; returns the ImportLog.  With ``request``,
    the activities tagged with the concepts it labelled are indexed again (by jobs)."""
    version = version or detect_version(r.plan(path, languages=languages))
    importer = Importer(session, version, languages)
    log = importer.run(path, progress)
    if request is not None:
        skills_relabelled(request, importer.labelled)
    return log


@esco.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=True))
@click.option("--languages", help="Comma-separated languages to import (en,de,fr); default all.")
@click.option(
    "--version", "version", help="The ESCO version (else read from folder names such as v1.1.1)."
)
@pass_app
def import_command(app: AppContext, path: str, languages: str | None, version: str | None):
    """Import (or update) the ESCO CSV download at PATH, in one transaction."""
    wanted = _languages(languages)
    started = time.perf_counter()
    try:
        files = r.plan(path, languages=wanted)
        with (
            click.progressbar(
                length=len(files), label="Importing ESCO", item_show_func=_file_name
            ) as bar,
            app.request() as request,
        ):
            log = import_download(
                request.dbsession,
                path,
                wanted,
                version,
                Progress(on_file=lambda info: bar.update(1, info)),
                request=request,
            )
            counts, version = dict(log.counts), log.version
    except (r.EscoReaderError, ImportProblem) as error:
        raise click.ClickException(
            f"{error}\nNothing was imported; the existing data is unchanged."
        ) from error
    click.echo(f"Imported ESCO {version} in {time.perf_counter() - started:.1f} s:")
    for name, count in sorted(counts.items()):
        click.echo(f"  {count:>9,}  {name}")
    click.echo(ATTRIBUTION)


def _file_name(info: r.FileReport | None) -> str:
    return info.name if info else ""


@esco.command("search")
@click.argument("text")
@click.option("--language", default="en", show_default=True, help="Language of the user.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def search_command(app: AppContext, text: str, language: str, limit: int, as_json: bool):
    """Find skills by any label: URI, preferred label in LANGUAGE, matched label."""
    with app.request() as request:
        hits = SkillSearch(request.dbsession).search(text, language, limit=limit)
    if as_json:
        click.echo(
            orjson.dumps(
                {"results": [hit.as_dict() for hit in hits], "attribution": ATTRIBUTION}
            ).decode()
        )
        return
    if not hits:
        click.echo(f"No skill matches {text!r}.")
    for hit in hits:
        click.echo(
            f"{hit.uri}\t{hit.label}\t{hit.matched} ({hit.matched_language}, {hit.matched_kind})"
        )
