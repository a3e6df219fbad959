"""Random secrets handed to people (links, API tokens) and the hashes we keep instead."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "col_"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 is right here: the secrets are 256 random bits, so no stretching is needed."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def keyed_digest(key: str, value: str) -> str:
    """A short keyed hash, for throttling keys that must not reveal emails or addresses."""
    return hmac.new(key.encode(), value.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:40]
