"""Writing and restoring a deployment's backup archive.

Layout of the archive (a gzipped tar):

``manifest.json`` (the last member)
    ``{"format": "cities-of-learning-backup", "version": 1, "created": ISO time, "dialect":
    "sqlite"|"postgresql", "heads": [alembic revisions], "database": member name,
    "checksums": {member: sha256}}``
``database.sqlite`` or ``database.pgdump``
    SQLite's online backup of the database, or ``pg_dump --format=custom``.
``files/<xx>/<sha256>.<ext>``
    Every stored file, read through the configured storage (``IFileStorage``: the local
    directory or an S3 bucket), laid out as the local directory lays them.

The database is copied first, then the files: stored files are content-addressed and written
before the row that names them is committed, so every file the copied database refers to is
already stored when the files are read, unless it was deleted in between (files go only after
the erasure that removes their rows has committed: the backup then lacks an erased file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, make_url, select, text

from col_core.db import make_engine, migrate
from col_core.db.meta import metadata

FORMAT = "cities-of-learning-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup could not be written or restored; the message says why and what to do."""


def owner_url(settings: dict) -> str:
    return settings.get("col.database_owner_url") or settings["col.database_url"]


def code_heads(plugins) -> list[str]:
    """The alembic heads this code migrates to (the core's and every enabled plugin's)."""
    config = migrate.alembic_config(None, plugins)  # type: ignore[arg-type]
    return sorted(ScriptDirectory.from_config(config).get_heads())


def database_heads(connection: Connection) -> list[str]:
    if "alembic_version" not in inspect(connection).get_table_names():
        return []
    return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))


def is_empty(connection: Connection) -> bool:
    """True when no table of the platform holds a row (a new, migrated or blank database)."""
    existing = set(inspect(connection).get_table_names())
    for table in metadata.sorted_tables:
        if (
            table.name in existing
            and connection.execute(select(1).select_from(table).limit(1)).first()
        ):
            return False
    return True


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without its password (which goes to PGPASSWORD, out of `ps`), and the
    environment for pg_dump and pg_restore."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environment


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    if shutil.which(arguments[0]) is None:
        raise BackupError(
            f"{arguments[0]} is not installed; install PostgreSQL's client tools of the "
            "server's major version (Debian: apt-get install postgresql-client)."
        )
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        hint = ""
        if "row-level security" in done.stderr:
            hint = (
                "\nThe owner role must read and write every city's rows: give it BYPASSRLS "
                "(ALTER ROLE col_owner BYPASSRLS; see docs/deployment.md)."
            )
        raise BackupError(f"{arguments[0]} failed:\n{done.stderr.strip()}{hint}")


def _copy_database(engine: Engine, url: str, target: Path) -> None:
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(str(make_url(url).database))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    uri, environment = _libpq(url)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), "--dbname", uri],
        environment,
    )


def _member(key: str) -> str:
    return f"{FILES}{key[:2]}/{key}"


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_files(archive: tarfile.TarFile, storage, keys: list[str]) -> dict[str, str]:
    """Each stored file into the archive, checked against its key (its SHA-256) as it is read,
    so a damaged file fails the backup rather than the restore; returns their checksums."""
    checksums = {}
    for key in keys:
        try:
            data = storage.get(key)
        except KeyError:
            continue  # erased since it was listed (see above)
        checksums[_member(key)] = hashlib.sha256(data).hexdigest()
        if checksums[_member(key)] != key.partition(".")[0]:
            raise BackupError(f"the stored file {key} is damaged: its bytes are not its key's.")
        _add_bytes(archive, _member(key), data)
    return checksums


def write_backup(settings: dict, plugins, target: Path) -> dict[str, Any]:
    """Write the deployment's database and files to ``target``; returns the manifest."""
    from col_core.storage import storage_factory

    if target.exists():
        raise BackupError(f"{target} already exists; choose another name or move it away.")
    url = owner_url(settings)
    engine = make_engine(url)
    try:
        dialect = engine.dialect.name
        if dialect not in DATABASE_MEMBERS:
            raise BackupError(f"backups support SQLite and PostgreSQL, not {dialect}.")
        with engine.connect() as connection:
            heads = database_heads(connection)
        if heads != code_heads(plugins):
            raise BackupError(
                "the database is not at this code's migration heads; run `col db upgrade` first."
            )
        with tempfile.TemporaryDirectory(dir=target.parent) as work:
            database = Path(work) / DATABASE_MEMBERS[dialect]
            _copy_database(engine, url, database)
            storage = storage_factory(settings)
            partial = Path(work) / "backup.tar.gz"
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(database, arcname=DATABASE_MEMBERS[dialect], recursive=False)
                checksums = {DATABASE_MEMBERS[dialect]: sha256_file(database)}
                checksums |= _add_files(archive, storage, list(storage.keys()))
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "dialect": dialect,
                    "heads": heads,
                    "database": DATABASE_MEMBERS[dialect],
                    "checksums": checksums,
                }
                # Last, so it lists exactly the members written (tarfile finds it by name).
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.replace(partial, target)
    finally:
        engine.dispose()
    return manifest


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
    except (KeyError, ValueError, tarfile.TarError, EOFError, OSError, zlib.error) as error:
        # A truncated or damaged gzip stream ends in EOFError or zlib.error, not TarError.
        raise BackupError(
            f"this is not a Cities of Learning backup, or it is damaged ({error or 'truncated'})."
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not a Cities of Learning backup (no manifest of ours).")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"this backup has format version {manifest.get('version')!r}; "
            f"this code reads version {VERSION}."
        )
    return manifest


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"{path} is not a readable archive ({error}).") from error


def _extract_checked(archive: tarfile.TarFile, manifest: dict, work: Path) -> dict[str, Path]:
    """Every member the manifest lists, extracted and its checksum verified."""
    checksums = manifest.get("checksums") or {}
    extracted = {}
    for name, expected in checksums.items():
        if not (name == manifest.get("database") or name.startswith(FILES)) or ".." in name:
            raise BackupError(f"the backup lists an unexpected member {name!r}.")
        try:
            archive.extract(name, work, filter="data")
        except (KeyError, tarfile.TarError, OSError, EOFError, zlib.error) as error:
            raise BackupError(f"the backup is damaged: {name} cannot be read ({error}).") from error
        path = work / name
        if sha256_file(path) != expected:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum.")
        extracted[name] = path
    if manifest.get("database") not in extracted:
        raise BackupError("the backup is damaged: it holds no database.")
    return extracted


def restore_backup(settings: dict, plugins, source: Path, force: bool = False) -> dict[str, Any]:
    """Replace this deployment's database and add the archive's files; returns the manifest."""
    from col_core.storage import storage_factory

    url = owner_url(settings)
    engine = make_engine(url)
    try:
        with _open(source) as archive, tempfile.TemporaryDirectory() as work:
            manifest = read_manifest(archive)
            dialect = engine.dialect.name
            if manifest.get("dialect") != dialect:
                raise BackupError(
                    f"this backup is of a {manifest.get('dialect')} database; this deployment "
                    f"uses {dialect}. Move a city between them with `col tenant dump`/`load`."
                )
            heads = code_heads(plugins)
            if sorted(manifest.get("heads") or []) != heads:
                raise BackupError(
                    "this backup was made at other migration heads ("
                    + ", ".join(manifest.get("heads") or ["none"])
                    + ") than this code's ("
                    + ", ".join(heads)
                    + "); restore it with the release that made it, then upgrade."
                )
            with engine.connect() as connection:
                empty = is_empty(connection)
            if not empty and not force:
                raise BackupError(
                    "the database is not empty; restoring would replace everything in it. "
                    "Pass --force to do so."
                )
            extracted = _extract_checked(archive, manifest, Path(work))
            _restore_database(engine, url, extracted[manifest["database"]])
            storage = storage_factory(settings)
            for name, path in extracted.items():
                if name.startswith(FILES):
                    storage.restore(name.rpartition("/")[2], path.read_bytes())
        # Grants to the application's role and the key binding transactions to a city are this
        # deployment's (its role and secret), not the backed-up one's.
        with engine.begin() as connection:
            migrate.upgrade(
                connection,
                plugins,
                role=settings.get("col.db_role", ""),
                secret=settings["col.secret"],
            )
    finally:
        engine.dispose()
    return manifest


def _restore_database(engine: Engine, url: str, dump: Path) -> None:
    engine.dispose()  # no pooled connection of ours holds the file or the tables
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(str(dump))
        target = sqlite3.connect(str(make_url(url).database), timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    uri, environment = _libpq(url)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            uri,
            str(dump),
        ],
        environment,
    )
