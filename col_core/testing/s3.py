"""A real S3 endpoint on 127.0.0.1 for tests: moto's standalone server (``moto_server``, an S3
HTTP API in its own process), so the app's boto3 calls go over HTTP exactly as to AWS or MinIO.

``S3Server().start()`` waits until the endpoint answers; ``.bucket()`` makes a fresh, empty
bucket and returns the settings that point ``col.storage`` at it.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from col_core.testing.servers import free_port

CREDENTIALS = {
    "col.storage.s3.access_key_id": "testing",
    "col.storage.s3.secret_access_key": "testing",
    "col.storage.s3.region": "us-east-1",
}


class S3Server:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.numbers = itertools.count(1)

    def start(self) -> S3Server:
        found = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
        self.process = subprocess.Popen(
            [found, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.endpoint}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def settings(self, bucket: str, **more) -> dict[str, str]:
        return {
            "col.storage": "s3",
            "col.storage.s3.bucket": bucket,
            "col.storage.s3.endpoint_url": self.endpoint,
            **CREDENTIALS,
            **more,
        }

    def bucket(self, **more) -> dict[str, str]:
        """A new empty bucket; the settings of a storage in it."""
        from col_core.storage_s3 import _client

        settings = self.settings(f"col-test-{next(self.numbers)}", **more)
        _client(settings).create_bucket(Bucket=settings["col.storage.s3.bucket"])
        return settings

    def environment(self, settings: dict[str, str]) -> dict[str, str]:
        """The ``COL_STORAGE*`` variables of ``settings``, for a `col` command."""
        return {
            "COL_" + name.removeprefix("col.").replace(".", "_").upper(): value
            for name, value in settings.items()
        }
