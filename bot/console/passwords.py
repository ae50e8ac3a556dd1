"""Agents' passwords: argon2id hashes (argon2-cffi's defaults), checked in constant effort."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Checked against when the agent does not exist, so that a wrong name costs as much as a
# wrong password and the answer time does not tell which names exist.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A one-time password for the first admin: 20 url-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)


def weak(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"至少 {MIN_LENGTH} 个字符"
    if password.strip() != password:
        return "首尾不能有空格"
    return None
