"""Password hashing (Argon2id) and the password policy.  Passwords are never logged or returned."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyramid.i18n import TranslationString

from col_core.i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 256  # Argon2 copes with more, but a megabyte "password" is an attack, not a secret.
COMMON_PASSWORDS = Path(__file__).parent / "common-passwords.txt"

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 parameters
# Verifying against this keeps the time of a sign-in for an unknown email like a known one's.
_DUMMY_HASH = _hasher.hash("not the password of anyone at all")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str = "") -> TranslationString | None:
    """Why ``password`` is not acceptable (a translatable message), or None."""
    if len(password) < MIN_LENGTH:
        return _("Use at least ${count} characters.", mapping={"count": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        return _("Use at most ${count} characters.", mapping={"count": MAX_LENGTH})
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if lowered in common_passwords() or (len(local) >= 4 and local in lowered):
        return _("This password is too easy to guess. Try a few unrelated words.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time when there is no hash to check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
