"""Encryption at rest: each entry under its own key, derived from the API key, never stored.

Data key: HKDF-SHA256 over the API key, with the entry's identity in `info`. Cipher: AES-256-GCM with a fresh
random 96-bit nonce per write, and the identity plus the schema version the blob was written under as
associated data, so a blob copied into another entry, or altered, fails to open.
"""

from __future__ import annotations

import json
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES: Final = 12
KEY_BYTES: Final = 32
_SALT: Final = b"carecycle-dash call store"
_INFO_LABEL: Final = b"carecycle-dash calls v1\x00"


class UnreadableBlob(Exception):
    """The blob is not one this key wrote for this entry (wrong key, wrong entry, altered or cut short)."""


def identity_bytes(host: str, customer_id: str, key_fingerprint: str) -> bytes:
    """An unambiguous encoding of an entry's identity."""
    return json.dumps([host, customer_id, key_fingerprint], separators=(",", ":")).encode()


def data_key(api_key: str, identity: bytes) -> bytes:
    """The entry's own AES-256 key."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_SALT, info=_INFO_LABEL + identity)
    return hkdf.derive(api_key.encode())


def seal(api_key: str, identity: bytes, version: int, plaintext: bytes) -> bytes:
    """version byte, nonce, ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([version])
    return header + nonce + AESGCM(data_key(api_key, identity)).encrypt(nonce, plaintext, header + identity)


def open_sealed(api_key: str, identity: bytes, newest_version: int, blob: bytes) -> bytes:
    """The plaintext, or UnreadableBlob."""
    if len(blob) < 1 + NONCE_BYTES + 16 or not 1 <= blob[0] <= newest_version:
        raise UnreadableBlob("not a blob of a known version")
    header, nonce, sealed = blob[:1], blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(data_key(api_key, identity)).decrypt(nonce, sealed, header + identity)
    except InvalidTag:
        raise UnreadableBlob("the blob does not open with this key for this entry") from None
