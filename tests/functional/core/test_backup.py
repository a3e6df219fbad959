"""`col backup` / `col restore`: a whole deployment's database and files, round trip on the
database the suite runs on (SQLite, or PostgreSQL with COL_TEST_DATABASE_URL), every row of
every table and every file compared; a badge issued before still verifies after; bad archives
and a non-empty database are refused with a message and a non-zero exit."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import inspect, select, text

from col_core.db import make_engine
from col_core.db.meta import metadata
from col_core.files.models import StoredFile
from col_core.storage import storage_factory
from plugins.badges.ob import verify
from plugins.badges.testing import badges  # noqa: F401 - the fixture

HOST = "http://vilnius.example.test"


def png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


def every_row(owner_url: str) -> dict[str, list[tuple]]:
    """Every row of every table (the owner sees past row-level security), in a stable order."""
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            existing = set(inspect(connection).get_table_names())
            rows = {
                "alembic_version": sorted(
                    connection.scalars(text("SELECT version_num FROM alembic_version"))
                )
            }
            for table in metadata.sorted_tables:
                if table.name in existing:
                    order = list(table.primary_key.columns) or list(table.columns)
                    statement = select(table).order_by(*order)
                    rows[table.name] = [tuple(row) for row in connection.execute(statement)]
    finally:
        engine.dispose()
    return rows


def every_file(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def deployment(badges, factories, registry):  # noqa: F811
    """A city with an organisation, a badge issued to a learner and a stored picture."""
    uid = badges.issue(badges.badge_class(), user=badges.user("ana@example.org"))
    storage = storage_factory(registry.settings)
    picture = png("red")
    key = storage.put(picture)
    with factories.within(badges.tenant):
        factories.save(
            StoredFile(
                key=key,
                purpose="picture",
                visibility="public",
                content_type="image/png",
                size=len(picture),
            )
        )
    return {"uid": uid, "key": key, "storage": Path(registry.settings["col.storage_dir"])}


def test_backup_and_restore_give_back_every_row_and_file(
    run_col,
    deployment,
    col_database,
    factories,
    testapp,
    badges,
    tmp_path,  # noqa: F811
):
    archive = tmp_path / "col-backup.tar.gz"
    rows = every_row(col_database.owner_url)
    files = every_file(deployment["storage"])
    assert rows["badge_assertions"] and rows["badge_issuer_keys"] and rows["stored_files"] and files

    made = run_col("backup", str(archive))
    assert made.exit_code == 0, made.output
    assert "database and 1 files" in made.output

    # Later changes: a new city, the file gone from the disk.
    factories.tenant("kaunas")
    for path in deployment["storage"].rglob("*.png"):
        path.unlink()
    assert every_row(col_database.owner_url) != rows

    refused = run_col("restore", str(archive))
    assert refused.exit_code == 1 and "the database is not empty" in refused.output
    assert "--force" in refused.output

    restored = run_col("restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert every_row(col_database.owner_url) == rows
    assert every_file(deployment["storage"]) == files

    # The restored city serves its badge, and the badge verifies against it.
    city = testapp.for_tenant(badges.tenant)

    def fetch(url):
        assert url.startswith(HOST), url
        response = city.get(
            url[len(HOST) :], headers={"Accept": "application/ld+json"}, expect_errors=True
        )
        return response.status_int, response.body, response.content_type

    credential = city.get(f"/badges/credentials/{deployment['uid']}").body
    result = verify.verify(credential, fetch, email="ana@example.org")
    assert result.status == "valid", result.reasons
    assert city.get(f"/files/{deployment['key']}").body == png("red")


def test_a_backup_restores_into_an_emptied_database(
    run_col, deployment, col_database, registry, tmp_path
):
    archive = tmp_path / "col-backup.tar.gz"
    rows = every_row(col_database.owner_url)
    files = every_file(deployment["storage"])
    assert run_col("backup", str(archive)).exit_code == 0
    assert run_col("backup", str(archive)).exit_code == 1  # never overwrites
    col_database.reset(registry["col.engine"])
    for path in deployment["storage"].rglob("*.png"):
        path.unlink()
    restored = run_col("restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert every_row(col_database.owner_url) == rows
    assert every_file(deployment["storage"]) == files


def rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with its manifest changed by ``change(manifest)``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_bad_archives_are_refused_with_a_message(run_col, deployment, col_database, tmp_path):
    archive = tmp_path / "col-backup.tar.gz"
    assert run_col("backup", str(archive)).exit_code == 0
    rows = every_row(col_database.owner_url)

    def refused(path: Path, message: str) -> None:
        result = run_col("restore", "--force", str(path))
        assert result.exit_code == 1, result.output
        assert message in result.output, result.output

    refused(tmp_path / "missing.tar.gz", "does not exist")
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(b"\x1f\x8b not really gzip" * 10)
    refused(corrupt, "is not a readable archive")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:200])
    refused(truncated, "not a")  # unreadable, or damaged
    stranger = tmp_path / "stranger.tar"
    with tarfile.open(stranger, "w") as other:
        other.add(__file__, arcname="notes.py")
    refused(stranger, "not a Cities of Learning backup")

    def other_heads(manifest):
        manifest["heads"] = ["0123456789ab"]

    refused(rewritten(archive, tmp_path / "heads.tar.gz", other_heads), "other migration heads")

    def damaged(manifest):
        manifest["checksums"][manifest["database"]] = "0" * 64

    refused(rewritten(archive, tmp_path / "damaged.tar.gz", damaged), "does not match")

    def escaping(manifest):
        manifest["checksums"]["../outside"] = "0" * 64

    refused(rewritten(archive, tmp_path / "escape.tar.gz", escaping), "unexpected member")
    assert every_row(col_database.owner_url) == rows  # nothing was touched
