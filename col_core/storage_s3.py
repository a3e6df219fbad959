"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), through boto3.

The same keys and checks as :class:`col_core.storage.LocalFileStorage`: an object is named
``<prefix><xx>/<sha256>.<ext>``, is written once (content-addressed, so a second upload of the
same bytes writes nothing) and carries its media type.  Files are served by the app, streamed
from the bucket (``/files/<key>``), never by presigned URLs: the app decides per request who may
see a private file, and sets the headers (``nosniff``, a sandboxing CSP for SVG and PDF) that a
bucket would not; the bucket can stay private.

Settings (``col.storage = s3``; environment ``COL_STORAGE=s3``): ``col.storage.s3.bucket``
(required), ``.endpoint_url`` (empty for AWS), ``.region``, ``.prefix``, and credentials from
``.access_key_id``/``.secret_access_key`` or else boto3's own chain (``AWS_*`` variables, the
instance's role, ``~/.aws``).  The bucket must exist: the app creates nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator

from zope.interface import implementer

from col_core.storage import (
    IFileStorage,
    Streamed,
    checked_key,
    content_type,
    restorable,
    valid_key,
)

CHUNK = 256 * 1024
PREFIX = "col.storage.s3."
MISSING = {"404", "NoSuchKey", "NotFound"}


class S3ConfigurationError(ValueError):
    """The S3 storage is not configured well enough to start; the message says what to set."""


def _client(settings: dict):
    import boto3
    from botocore.config import Config

    options = {
        "endpoint_url": settings.get(PREFIX + "endpoint_url") or None,
        "region_name": settings.get(PREFIX + "region") or None,
        "aws_access_key_id": settings.get(PREFIX + "access_key_id") or None,
        "aws_secret_access_key": settings.get(PREFIX + "secret_access_key") or None,
    }
    # Short timeouts and few retries: a readiness probe must answer before the balancer's.
    config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})
    return boto3.session.Session().client("s3", config=config, **options)


def _missing(error) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING


@implementer(IFileStorage)
class S3FileStorage:
    """Stored files as objects of one bucket, under an optional prefix."""

    def __init__(self, client, bucket: str, max_bytes: int, prefix: str = ""):
        from botocore.exceptions import ClientError

        self.client = client
        self.bucket = bucket
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.client_error = ClientError

    @classmethod
    def from_settings(cls, settings: dict) -> S3FileStorage:
        bucket = (settings.get(PREFIX + "bucket") or "").strip()
        if not bucket:
            raise S3ConfigurationError(
                "col.storage is s3 but no bucket is set: set col.storage.s3.bucket "
                "(COL_STORAGE_S3_BUCKET) to an existing bucket."
            )
        prefix = (settings.get(PREFIX + "prefix") or "").strip().lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return cls(_client(settings), bucket, int(settings["col.upload_max_bytes"]), prefix)

    def _name(self, key: str) -> str:
        if not valid_key(key):
            raise KeyError(key)
        return f"{self.prefix}{key[:2]}/{key}"

    def put(self, data: bytes, allowed=frozenset({"image"})) -> str:
        key = checked_key(data, allowed, self.max_bytes)
        if not self.exists(key):
            self._write(key, data)
        return key

    def restore(self, key: str, data: bytes) -> None:
        restorable(key, data)
        self._write(key, data)

    def _write(self, key: str, data: bytes) -> None:
        # One PUT is atomic: a reader sees the whole object or none.
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._name(key),
            Body=data,
            ContentType=content_type(key),
            CacheControl="public, max-age=31536000, immutable",
        )

    def _object(self, key: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client_error as error:
            if _missing(error):
                raise KeyError(key) from None
            raise

    def get(self, key: str) -> bytes:
        return self._object(key)["Body"].read()

    def stream(self, key: str) -> Streamed:
        found = self._object(key)
        return Streamed(found["ContentLength"], _chunks(found["Body"]))

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        names = (item["Key"] for page in pages for item in page.get("Contents", ()))
        yield from sorted(
            name.rpartition("/")[2] for name in names if valid_key(name.rpartition("/")[2])
        )

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except KeyError:
            return False
        except self.client_error as error:
            if _missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except KeyError:
            pass

    def content_type(self, key: str) -> str:
        return content_type(key)

    def probe(self) -> None:
        # Write and remove an object: proves the endpoint, the bucket and the credentials.
        name = f"{self.prefix}.probe"
        self.client.put_object(Bucket=self.bucket, Key=name, Body=b"")
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def describe(self) -> str:
        endpoint = self.client.meta.endpoint_url
        return f"s3://{self.bucket}/{self.prefix} at {endpoint}"


def _chunks(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
