"""``IFileStorage``: the local directory and an S3 bucket (a real S3 endpoint, moto's server)
keep the same promises: keys, checks, media types, streamed reads, listing, restore, delete,
probe.  A storage misconfigured or out of reach stops the start, fails ``/readyz`` and
``col doctor`` with a message that says what to fix."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from webtest import Upload

from col_core.app import make_config
from col_core.storage import IFileStorage, UploadRejected, storage_factory
from col_core.storage_s3 import S3ConfigurationError
from col_core.testing.servers import free_port

BOTH = pytest.mark.parametrize("file_storage", ["local", "s3"], indirect=True)
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(colour: str, size: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


@BOTH
def test_a_storage_keeps_every_promise(registry, file_storage):
    storage = file_storage
    assert list(storage.keys()) == []
    key = storage.put(png("red"))
    assert key == hashlib.sha256(png("red")).hexdigest() + ".png"
    assert storage.put(png("red")) == key  # stored once
    assert storage.exists(key) and storage.get(key) == png("red")
    streamed = storage.stream(key)
    assert streamed.size == len(png("red")) and b"".join(streamed.chunks) == png("red")
    assert storage.content_type(key) == "image/png"
    pdf = storage.put(PDF, allowed={"pdf"})
    assert pdf.endswith(".pdf") and storage.content_type(pdf) == "application/pdf"
    assert list(storage.keys()) == sorted([key, pdf])

    with pytest.raises(UploadRejected, match="file type is not accepted"):
        storage.put(PDF)
    with pytest.raises(UploadRejected, match="empty"):
        storage.put(b"")
    with pytest.raises(UploadRejected, match="the limit is"):
        storage.put(b"x" * (storage.max_bytes + 1))
    for unknown in ("0" * 64 + ".png", "../etc/passwd", key.replace(".png", ".exe")):
        assert not storage.exists(unknown)
        with pytest.raises(KeyError):
            storage.get(unknown)
        with pytest.raises(KeyError):
            storage.stream(unknown)
        storage.delete(unknown)  # no error

    with pytest.raises(UploadRejected, match="not the key"):
        storage.restore(key, png("blue"))
    blue = hashlib.sha256(png("blue")).hexdigest() + ".png"
    storage.restore(blue, png("blue"))
    assert storage.get(blue) == png("blue")

    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    assert list(storage.keys()) == sorted([blue, pdf])
    storage.probe()
    assert list(storage.keys()) == sorted([blue, pdf])  # the probe leaves nothing


def test_s3_objects_lie_under_the_prefix_with_their_media_type(registry, s3_server):
    settings = {**registry.settings, **s3_server.bucket(**{"col.storage.s3.prefix": "city/"})}
    storage = storage_factory(settings)
    key = storage.put(png("red"))
    head = storage.client.head_object(Bucket=storage.bucket, Key=f"city/{key[:2]}/{key}")
    assert head["ContentType"] == "image/png"
    assert storage.describe().startswith(f"s3://{storage.bucket}/city/")


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_an_upload_through_the_app_lands_in_the_bucket_and_is_served_back(
    people, factories, testapp, file_storage
):
    city = factories.tenant("vilnius")
    app = people.client(city, people.user("learner"))
    form = next(f for f in app.get("/account").forms.values() if "picture" in f.fields)
    form["picture"] = Upload("me.png", png("green"), "image/png")
    form.submit()
    key = hashlib.sha256(png("green")).hexdigest() + ".png"
    listed = file_storage.client.list_objects_v2(Bucket=file_storage.bucket)
    assert [item["Key"] for item in listed["Contents"]] == [f"{key[:2]}/{key}"]
    served = testapp.for_tenant(city).get(f"/files/{key}")
    assert served.body == png("green") and served.content_type == "image/png"
    assert served.content_length == len(png("green"))


def test_s3_without_a_bucket_stops_the_start_with_what_to_set(app_settings, s3_server):
    settings = {**app_settings, **s3_server.settings("")}
    with pytest.raises(S3ConfigurationError, match="col.storage.s3.bucket"):
        make_config(None, **settings)


def test_an_unreachable_s3_endpoint_fails_readyz(make_testapp, factories, s3_server):
    factories.global_site()
    nowhere = f"http://127.0.0.1:{free_port()}"
    app = make_testapp(
        **s3_server.settings("col-nowhere", **{"col.storage.s3.endpoint_url": nowhere})
    )
    body = app.get("/readyz", status=503).json
    assert body["checks"]["storage"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_doctor_names_the_bucket_and_what_to_fix(run_col, registry, s3_server, monkeypatch):
    good = s3_server.bucket()
    for name, value in s3_server.environment(good).items():
        monkeypatch.setenv(name, value)
    found = run_col("doctor")
    assert f"writable (s3://{good['col.storage.s3.bucket']}/" in found.output, found.output
    monkeypatch.setenv("COL_STORAGE_S3_BUCKET", "col-no-such-bucket")
    found = run_col("doctor")
    assert "files cannot be stored" in found.output and "NoSuchBucket" in found.output
    assert "COL_STORAGE_S3_BUCKET" in found.output and found.exit_code == 1


def test_s3_is_chosen_by_its_short_name(registry, s3_server):
    found = storage_factory({**registry.settings, **s3_server.bucket()})
    assert type(found).__name__ == "S3FileStorage"
    assert IFileStorage.providedBy(found)


def test_a_backup_of_local_files_restores_into_a_bucket(
    run_col, registry, s3_server, monkeypatch, tmp_path
):
    key = storage_factory(registry.settings).put(png("red"))  # the local directory
    archive = tmp_path / "col-backup.tar.gz"
    made = run_col("backup", str(archive))
    assert made.exit_code == 0 and "1 files" in made.output, made.output
    bucket = s3_server.bucket()
    for name, value in s3_server.environment(bucket).items():
        monkeypatch.setenv(name, value)
    restored = run_col("restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert list(storage_factory({**registry.settings, **bucket}).keys()) == [key]
