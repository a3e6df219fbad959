"""Moving one city between deployments (``col tenant dump SLUG`` / ``col tenant load FILE``).

The dump is a gzipped tar:

``manifest.json``
    ``{"format": "cities-of-learning-city", "version": 1, "slug", "created", "heads",
    "counts": {table: rows}, "checksums": {member: sha256}}``
``tenant.json``
    The tenant's row (without its id) and its custom hostnames.
``users.jsonl``
    The people the city's rows name (members, learners, admins, authors...), with only the
    fields of :data:`USER_FIELDS`; their sessions, API tokens and other cities stay behind.
``rows/<table>.jsonl``
    Every row of every city-owned table (the models mixing in ``TenantScoped``), one JSON
    object per line, in the order of the tables' dependencies; :data:`LEFT_BEHIND` are not
    moved (a queue and derived indexes, rebuilt on the other side).
``files/<key>``
    The bytes of every stored file the city's rows name.

Loading inserts every row with its id when no row here has it, else with a new one, following the foreign keys (and the few references
that are ids without a foreign key, :data:`ID_REFERENCES`) to the new ids; people are matched
by e-mail address to the accounts already there.  Values sealed with ``col.secret`` (badge
signing keys) are re-sealed with a passphrase for the journey by the plugins that own them
(``col_tenant_reseal``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, DateTime, Table, func, insert, select, text, update
from sqlalchemy.orm import Session
from zope.sqlalchemy import mark_changed

from col_core.backup.archive import BackupError, code_heads
from col_core.db.meta import Base, metadata
from col_core.security.models import User
from col_core.storage import UploadRejected
from col_core.tenancy.models import Tenant, TenantHost
from col_core.tenancy.scoping import TenantScoped, cross_tenant

FORMAT = "cities-of-learning-city"
VERSION = 1
MANIFEST = "manifest.json"

#: What travels of a person: enough to sign in (password hash), be recognised and be protected
#: as a minor (birth date, guardian's consent).  Not: platform administration, sessions, tokens.
USER_FIELDS = (
    "email",
    "email_verified_at",
    "password_hash",
    "display_name",
    "picture",
    "preferred_locale",
    "birth_date",
    "guardian_email",
    "guardian_consent_at",
    "profile_public",
    "deleted_at",
    "created_at",
)

#: City-owned tables not moved: the job queue (transient), what is derived from the rest
#: (search index: `col search reindex`; daily figures: rebuilt from the moved rows) and
#: short-lived secrets (wallet-app offers, OAuth codes: the learner asks again).
LEFT_BEHIND = frozenset(
    {
        "jobs",
        "search_documents",
        "search_versions",
        "analytics_daily",
        "badge_wallet_offers",
        "badge_ob_codes",
    }
)

#: Integer columns holding another row's id without a foreign key: (table, column) -> the
#: referenced table, or (type column, {type value: table}) for polymorphic references.
ID_REFERENCES: dict[tuple[str, str], str | tuple[str, dict[str, str]]] = {
    ("playlist_badges", "badge_class_id"): "badge_classes",
    (
        "badge_classes",
        "subject_id",
    ): ("subject_type", {"activity": "activities", "playlist": "playlists"}),
    ("esco_skill_tags", "subject_id"): (
        "subject_type",
        {"activity": "activities", "playlist": "playlists", "badge_class": "badge_classes"},
    ),
    ("esco_learner_skills", "source_id"): ("source_type", {"badge": "badge_assertions"}),
}


def city_tables() -> list[Table]:
    """Every city-owned table in the order of their foreign keys."""
    scoped = {
        table.name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantScoped)
        for table in mapper.tables
    }
    return [
        table
        for table in metadata.sorted_tables
        if table.name in scoped and table.name not in LEFT_BEHIND
    ]


def _encode(column: Column, value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _decode(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


def _row(table: Table, values: dict) -> dict[str, Any]:
    return {column.name: _encode(column, values[column.name]) for column in table.columns}


Reseal = Callable[[str, dict], dict]


def _file_keys(tenant: Tenant, rows: dict[str, list[dict]], people: list[dict]) -> set[str]:
    """The city's stored files, its branding images and its people's account pictures."""
    keys = {row["key"] for row in rows.get("stored_files", [])}
    pictures = [person.get("picture") for person in people]
    keys.update(picture for picture in pictures if picture)
    for value in (tenant.branding or {}).values():
        if _is_storage_key(value):
            keys.add(value)
    return keys


def _is_storage_key(value) -> bool:
    """Whether a branding value names a stored file: a 64-character digest and an extension."""
    if not isinstance(value, str) or "." not in value:
        return False
    digest, _dot, _extension = value.partition(".")
    return len(digest) == 64


def write_dump(
    session: Session, storage, slug: str, plugins, target: Path, reseal: Reseal
) -> dict[str, Any]:
    """Write city ``slug`` (read across cities by the caller's ``cross_tenant``) to ``target``."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name or move it away.")
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise BackupError(f"no tenant with slug {slug!r}; see `col tenant list`.")
    rows: dict[str, list[dict]] = {}
    user_ids: set[int] = set()
    for table in city_tables():
        in_order = table.primary_key.columns  # `id`, or the natural key of a table without one
        statement = select(table).where(table.c.tenant_id == tenant.id).order_by(*in_order)
        found = [
            reseal(table.name, _row(table, dict(r._mapping))) for r in session.execute(statement)
        ]
        rows[table.name] = found
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table.name == "users":
                user_ids.update(
                    r[foreign_key.parent.name] for r in found if r[foreign_key.parent.name]
                )
    users = metadata.tables["users"]
    people = [
        {
            "id": user.id,
            "home": user.home_tenant_id == tenant.id,
            **{name: _encode(users.c[name], getattr(user, name)) for name in USER_FIELDS},
        }
        for user in session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    ]
    tenants = metadata.tables["tenants"]
    tenant_row = {
        column.name: _encode(column, getattr(tenant, column.name))
        for column in tenants.columns
        if column.name != "id"
    }
    hosts = sorted(
        session.scalars(select(TenantHost.hostname).where(TenantHost.tenant_id == tenant.id))
    )
    members: dict[str, bytes] = {
        "tenant.json": json.dumps({"tenant": tenant_row, "hosts": hosts}).encode(),
        "users.jsonl": _lines(people),
    }
    for name, found in rows.items():
        members[f"rows/{name}.jsonl"] = _lines(found)
    for key in sorted(_file_keys(tenant, rows, people)):
        try:
            members[f"files/{key}"] = storage.get(key)
        except KeyError as error:
            raise BackupError(f"the city's file {key} is missing from the storage.") from error
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "slug": slug,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "heads": code_heads(plugins),
        "counts": {name: len(found) for name, found in rows.items()} | {"users": len(people)},
        "checksums": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".partial") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name, data in [
                (MANIFEST, json.dumps(manifest, indent=2).encode()),
                *members.items(),
            ]:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                archive.addfile(info, io.BytesIO(data))
    Path(raw.name).replace(target)
    return manifest


def _lines(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in rows)


class Dump:
    """A city dump read and checked: every member present and matching its checksum."""

    def __init__(self, path: Path, plugins):
        if not path.is_file():
            raise BackupError(f"{path} does not exist.")
        try:
            with tarfile.open(path, "r:*") as archive:
                self.members = {
                    member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
                    for member in archive.getmembers()
                    if member.isfile()
                }
        except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as error:
            raise BackupError(
                f"{path} is not a readable city dump ({error or 'truncated'})."
            ) from error
        try:
            self.manifest = json.loads(self.members[MANIFEST])
        except (KeyError, ValueError) as error:
            raise BackupError(f"{path} is not a city dump of Cities of Learning.") from error
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is not a city dump of Cities of Learning.")
        if self.manifest.get("version") != VERSION:
            raise BackupError(
                f"this dump has format version {self.manifest.get('version')!r}; "
                f"this code reads version {VERSION}."
            )
        heads = code_heads(plugins)
        if sorted(self.manifest.get("heads") or []) != heads:
            raise BackupError(
                "this dump was made at other migration heads ("
                + ", ".join(self.manifest.get("heads") or ["none"])
                + ") than this code's ("
                + ", ".join(heads)
                + "); load it with the release that made it, or upgrade the other side first."
            )
        checksums = self.manifest.get("checksums") or {}
        for name, data in self.members.items():
            if name != MANIFEST and hashlib.sha256(data).hexdigest() != checksums.get(name):
                raise BackupError(f"the dump is damaged: {name} does not match its checksum.")
        for name in checksums:
            if name not in self.members:
                raise BackupError(f"the dump is damaged: {name} is missing.")
        try:
            self.city = json.loads(self.members["tenant.json"])
        except (KeyError, ValueError) as error:
            raise BackupError("the dump is damaged: it holds no tenant.") from error

    @property
    def slug(self) -> str:
        return self.manifest["slug"]

    def rows(self, name: str) -> list[dict]:
        data = self.members.get(name, b"")
        try:
            return [json.loads(line) for line in data.splitlines() if line.strip()]
        except ValueError as error:
            raise BackupError(f"the dump is damaged: {name} is not JSON lines.") from error

    def files(self) -> Iterator[tuple[str, bytes]]:
        for name, data in sorted(self.members.items()):
            if name.startswith("files/"):
                yield name.removeprefix("files/"), data

    def total(self) -> int:
        return sum((self.manifest.get("counts") or {}).values()) + sum(1 for _ in self.files())


class Loader:
    """Inserts a :class:`Dump` with fresh ids, in the caller's transaction."""

    def __init__(self, session: Session, storage, reseal: Reseal, advance: Callable[[int], None]):
        self.session = session
        self.storage = storage
        self.reseal = reseal
        self.advance = advance
        self.ids: dict[str, dict[int, int]] = {}
        #: Rows that could not keep their id here, by table.
        self.renumbered: dict[str, int] = {}
        self.kept_ids: set[str] = set()
        self._taken_ids: dict[str, set[int]] = {}
        self._dump_ids: dict[str, set[int]] = {}

    def load(self, dump: Dump) -> Tenant:
        with cross_tenant(self.session) as session:
            if session.scalar(select(Tenant.id).where(Tenant.slug == dump.slug)) is not None:
                raise BackupError(
                    f"a city with slug {dump.slug!r} exists here already; nothing was loaded."
                )
            hosts = list(dump.city.get("hosts") or [])
            taken = session.scalars(
                select(TenantHost.hostname).where(TenantHost.hostname.in_(hosts))
            )
            for hostname in taken:
                raise BackupError(f"the hostname {hostname} serves another city here already.")
            tenant_id = self._insert(metadata.tables["tenants"], dict(dump.city["tenant"]))
            self.ids["tenants"] = {0: tenant_id}
            self._dump_ids["users"] = {person["id"] for person in dump.rows("users.jsonl")}
            for table in city_tables():
                if "id" in table.c:
                    rows = dump.rows(f"rows/{table.name}.jsonl")
                    self._dump_ids[table.name] = {row["id"] for row in rows}
            for hostname in hosts:
                session.add(TenantHost(hostname=hostname, tenant_id=tenant_id))
            self._users(dump, tenant_id)
            deferred: list[tuple[Table, int, dict]] = []
            for table in city_tables():
                for row in dump.rows(f"rows/{table.name}.jsonl"):
                    inserted = self._city_row(table, row, tenant_id)
                    if inserted is not None:
                        deferred.append(inserted)
                    self.advance(1)
            for table, new_id, row in deferred:
                self._late_references(table, new_id, row)
            for key, data in dump.files():
                self._file(key, data)
                self.advance(1)
            self._advance_sequences()
            session.flush()
            return session.get(Tenant, tenant_id)  # type: ignore[return-value]

    def _insert(self, table: Table, values: dict, old_id: int | None = None) -> int:
        """Insert one row; it keeps ``old_id`` when no row here has it (so URLs with ids, such
        as badge issuers' keys named by signed credentials, stay the same), else gets a new id
        (counted in :attr:`renumbered`)."""
        values = {
            column.name: _decode(column, values[column.name])
            for column in table.columns
            if column.name in values and column.name != "id"
        }
        if old_id is not None:
            if old_id in self._taken(table):
                self.renumbered[table.name] = self.renumbered.get(table.name, 0) + 1
            else:
                values["id"] = old_id
                self.kept_ids.add(table.name)
        # Core statements in the request's session: tell the transaction manager to commit them.
        mark_changed(self.session)
        return self.session.execute(insert(table).returning(table.c.id), values).scalar_one()

    def _taken(self, table: Table) -> set[int]:
        """Ids of ``table`` already used here, among those the dump brings."""
        if table.name in self._taken_ids:
            return self._taken_ids[table.name]
        wanted = sorted(self._dump_ids.get(table.name, ()))
        taken: set[int] = set()
        ids = table.c.id
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            in_chunk = select(ids).where(ids.in_(chunk))
            taken.update(self.session.scalars(in_chunk))
        self._taken_ids[table.name] = taken
        return taken

    def _advance_sequences(self) -> None:
        """PostgreSQL's id sequences continue after the ids kept (SQLite needs nothing)."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in sorted(self.kept_ids):
            self.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                ),
                {"table": name},
            )

    def _users(self, dump: Dump, tenant_id: int) -> None:
        users = metadata.tables["users"]
        mapping = self.ids.setdefault("users", {})
        for person in dump.rows("users.jsonl"):
            email = person.get("email")
            if not isinstance(email, str) or not email:
                raise BackupError("the dump is damaged: a person has no e-mail address.")
            existing = self.session.scalar(
                select(User.id).where(func.lower(User.email) == email.lower())
            )
            if existing is None:
                values = {name: person.get(name) for name in USER_FIELDS}
                values["home_tenant_id"] = tenant_id if person.get("home") else None
                existing = self._insert(users, values, person["id"])
            mapping[person["id"]] = existing
            self.advance(1)

    def _city_row(self, table: Table, row: dict, tenant_id: int) -> tuple[Table, int, dict] | None:
        """Insert one city row with its references renumbered; (table, new id, row) for the
        references set once every row is in, or None for a table without ids."""
        row = self.reseal(table.name, dict(row))
        values = dict(row)
        values["tenant_id"] = tenant_id
        for foreign_key in table.foreign_keys:
            name = foreign_key.parent.name
            target = foreign_key.column.table.name
            if name == "tenant_id" or values.get(name) is None:
                continue
            if target == table.name:  # a reference within the table: set once all are in
                values[name] = None
            elif target in self.ids:
                try:
                    values[name] = self.ids[target][values[name]]
                except KeyError as error:
                    raise BackupError(
                        f"the dump is damaged: {table.name}.{name} names a {target} row "
                        "that is not in it."
                    ) from error
            elif foreign_key.column.name != "id":  # a global row named by its key (ESCO)
                found = self.session.execute(
                    select(foreign_key.column).where(foreign_key.column == values[name])
                ).first()
                if found is None:
                    raise BackupError(
                        f"{table.name}.{name} names {values[name]!r}, which this deployment "
                        f"does not have in {target} (import it first, e.g. `col esco import`)."
                    )
        if "id" not in table.c:  # keyed by its natural key (a picture's file, a client's id)
            self._insert_keyed(table, values)
            return None
        new_id = self._insert(table, values, row["id"])
        self.ids.setdefault(table.name, {})[row["id"]] = new_id
        return table, new_id, row

    def _insert_keyed(self, table: Table, values: dict) -> None:
        decoded = {c.name: _decode(c, values[c.name]) for c in table.columns if c.name in values}
        mark_changed(self.session)
        self.session.execute(insert(table), decoded)

    def _late_references(self, table: Table, new_id: int, row: dict) -> None:
        changes = self._self_references(table, row)
        changes.update(self._id_references(table, row))
        if not changes:
            return
        this_row = update(table).where(table.c.id == new_id)
        self.session.execute(this_row.values(**changes))

    def _self_references(self, table: Table, row: dict) -> dict[str, int | None]:
        """The new ids of the rows of the same table that ``row`` refers to."""
        changes: dict[str, int | None] = {}
        for foreign_key in table.foreign_keys:
            name = foreign_key.parent.name
            # A composite key's tenant_id also points within the table; the loader set it.
            if foreign_key.column.table.name != table.name or name == "tenant_id":
                continue
            old_id = row.get(name)
            if old_id is not None:
                changes[name] = self.ids[table.name].get(old_id)
        return changes

    def _id_references(self, table: Table, row: dict) -> dict[str, int | None]:
        """The new ids of the rows that ``row`` names by id without a foreign key."""
        changes: dict[str, int | None] = {}
        for (table_name, name), target in ID_REFERENCES.items():
            if table_name != table.name or row.get(name) is None:
                continue
            if isinstance(target, tuple):
                type_column, by_type = target
                referenced = by_type.get(row.get(type_column) or "")
            else:
                referenced = target
            if referenced is not None:
                changes[name] = self.ids.get(referenced, {}).get(row[name])
        return changes

    def _file(self, key: str, data: bytes) -> None:
        try:
            stored = self.storage.put(data, allowed=frozenset({"image", "svg", "pdf"}))
        except UploadRejected as error:
            raise BackupError(
                f"the dump is damaged: the file {key} is refused ({error})"
            ) from error
        if stored != key:
            raise BackupError(f"the dump is damaged: the file {key} has other contents.")
