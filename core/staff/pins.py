"""PIN hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class PinHasher:
    """Hashes and checks PINs with argon2id (argon2-cffi's defaults follow RFC 9106).

    Hashing takes tens of milliseconds by design: call it off the GUI thread.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, pin: str) -> str:
        return self._hasher.hash(pin)

    def verify(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, pin_hash: str) -> bool:
        return self._hasher.check_needs_rehash(pin_hash)


def fast_hasher() -> PinHasher:
    """Cheap parameters for tests and demo data only: never for real PINs."""
    return PinHasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
