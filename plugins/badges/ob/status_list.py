"""Bitstring Status List v1.0: revocation (or suspension) bits for OB 3.0 credentials.

A list is a bit string of at least 131,072 bits (16 KiB), so that one credential's index says
little about who else is on the list. Published form (``encodedList``): GZIP of the bytes, then
multibase base64url without padding, i.e. ``u`` + base64url. Bit 0 is the most significant bit
of the first byte (the specification's left-to-right order).
"""

from __future__ import annotations

import base64
import gzip
from datetime import datetime

from ._dates import iso_utc, utcnow
from .ob3 import VC_CONTEXT

__all__ = [
    "MIN_BITS",
    "StatusList",
    "encode_bits",
    "decode_bits",
    "list_credential",
    "entry_is_set",
    "StatusListError",
]

MIN_BITS = 131072  # 16 KiB, the minimum the specification sets for group privacy.


class StatusListError(ValueError):
    """An encodedList that cannot be decoded, or an index outside the list."""


def encode_bits(data: bytes) -> str:
    """``encodedList`` text for raw list bytes: ``u`` + base64url(gzip(data)), no padding."""
    # mtime=0 keeps the output a pure function of the bits (stable across re-publishing).
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    """Raw list bytes from ``encodedList``; also accepts the legacy unprefixed base64url."""
    text = encoded.removeprefix("u")  # the multibase prefix of base64url
    padding = "=" * (-len(text) % 4)
    try:
        compressed = base64.urlsafe_b64decode(text + padding)
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError(f"encodedList is not gzip+base64url: {exc}") from exc


class StatusList:
    """A mutable bit string; ``StatusList()`` is an all-clear list of :data:`MIN_BITS` bits."""

    def __init__(self, size: int = MIN_BITS, data: bytes | None = None):
        if size < MIN_BITS or size % 8:
            raise StatusListError(f"a status list has at least {MIN_BITS} bits, a multiple of 8")
        self.size = size
        if data is None:
            data = bytes(size // 8)  # every credential valid
        self._bits = bytearray(data)
        if len(self._bits) * 8 != size:
            raise StatusListError("data length does not match size")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """A list from its ``encodedList`` text (any size the publisher chose)."""
        data = decode_bits(encoded)
        return cls(len(data) * 8, data)

    def encode(self) -> str:
        """The ``encodedList`` text of this list."""
        return encode_bits(bytes(self._bits))

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise StatusListError(f"index {index} outside a list of {self.size} bits")

    def get(self, index: int) -> bool:
        """Whether bit ``index`` is set (revoked / suspended)."""
        self._check(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        """Set (or clear, with ``value=False``) bit ``index``."""
        self._check(index)
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        return bytes(self._bits)


def list_credential(
    id: str,
    issuer: dict | str,
    status_list: StatusList,
    *,
    purpose: str = "revocation",
    valid_from: datetime | str | None = None,
    valid_until: datetime | str | None = None,
) -> dict:
    """An unsigned BitstringStatusListCredential published at ``id``.

    Sign it like any credential (:func:`plugins.badges.ob.integrity.sign`) with the issuer's
    key: verifiers check its proof and that its issuer is the credential's issuer.
    """
    doc = {
        "@context": [VC_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": iso_utc(valid_from or utcnow()),
        "credentialSubject": {
            "id": f"{id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until:
        doc["validUntil"] = iso_utc(valid_until)
    return doc


def entry_is_set(entry: dict, list_credential_doc: dict) -> bool:
    """Whether the bit a BitstringStatusListEntry points at is set in a (verified) list.

    Checks that the entry names this list and that the purposes agree; raises
    :class:`StatusListError` otherwise.
    """
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError(f"unsupported credentialStatus type {entry.get('type')!r}")
    if entry.get("statusListCredential") != list_credential_doc.get("id"):
        raise StatusListError("status entry points at another list")
    subject = list_credential_doc.get("credentialSubject") or {}
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise StatusListError("status purposes of entry and list differ")
    try:
        index = int(entry["statusListIndex"])
    except (KeyError, TypeError, ValueError) as exc:
        raise StatusListError("statusListIndex is not an integer") from exc
    return StatusList.decode(subject.get("encodedList", "")).get(index)
