"""The database key and its human-readable recovery form.

The database key is 32 random bytes. The recovery key shown once at setup is that same key,
written in Crockford base32 in groups of four with a 2-character checksum, e.g.
``7K2M-…-QX``. Typing it back (spaces, case and look-alike letters forgiven) yields the key, so
the practice can open its database when the keyring entry is lost (emergency access).
"""

from __future__ import annotations

import secrets
import zlib

from core.errors import InvalidRecoveryKey

KEY_BYTES = 32
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_GROUP = 4


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_hex(key: bytes) -> str:
    """The key as SQLCipher's raw-key hex (``PRAGMA key = "x'…'"``)."""
    return key.hex()


def _encode(data: bytes) -> str:
    """Base32 (Crockford alphabet), the bits padded with zeros on the right."""
    pad = -len(data) * 8 % 5
    number = int.from_bytes(data, "big") << pad
    count = (len(data) * 8 + pad) // 5
    return "".join(_ALPHABET[number >> (5 * i) & 31] for i in reversed(range(count)))


def _checksum(key: bytes) -> str:
    crc = zlib.crc32(key) & 0x3FF
    return _ALPHABET[crc >> 5] + _ALPHABET[crc & 31]


def recovery_key(key: bytes) -> str:
    """The printable recovery key for a database key."""
    body = _encode(key) + _checksum(key)
    return "-".join(body[i : i + _GROUP] for i in range(0, len(body), _GROUP))


def key_from_recovery(text: str) -> bytes:
    """The database key from a typed recovery key; raises ``InvalidRecoveryKey`` when it is
    malformed or its checksum does not match (a typo)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKES)
    body_len = -(-KEY_BYTES * 8 // 5)
    if len(cleaned) != body_len + 2 or any(ch not in _ALPHABET for ch in cleaned):
        raise InvalidRecoveryKey("That is not a recovery key.", reason="format")
    number = 0
    for ch in cleaned[:body_len]:
        number = number << 5 | _ALPHABET.index(ch)
    number >>= body_len * 5 - KEY_BYTES * 8
    key = number.to_bytes(KEY_BYTES, "big")
    if _checksum(key) != cleaned[body_len:]:
        raise InvalidRecoveryKey("The recovery key has a typo.", reason="checksum")
    return key
