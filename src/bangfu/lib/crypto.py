"""Field encryption and blind indexes for sensitive values (ID numbers, phones, bank accounts).

Both keys are derived from `settings.FIELD_KEY` with HKDF-SHA256, each under its own `info`
label, so the encryption key and the index key are independent and FIELD_KEY itself is never used
directly:

- `encrypt_text(value)` / `decrypt_text(token)`: AES-256-GCM, random 96-bit nonce, optional
  associated data (`context`) binding a ciphertext to its purpose, e.g. "registry.member.id_number".
  Tokens are ASCII: "v1." + urlsafe base64(nonce ‖ ciphertext ‖ tag).
- `blind_index(value, purpose=...)`: a keyed BLAKE2b digest (32 hex characters) for exact lookup and
  de-duplication without decrypting. Each purpose gets its own derived key, so an index of a bank
  account can never be matched against an index of an ID number.

Rotating FIELD_KEY makes existing tokens unreadable: keep it as carefully as the database backup.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

TOKEN_PREFIX = "v1."
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_NONCE_BYTES = 12


class DecryptionError(ValueError):
    """The token is malformed, was made with another key, or was tampered with."""


@lru_cache(maxsize=64)
def _derive(master: str, label: str, length: int) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=b"bangfu-field-key", info=label.encode())
    return hkdf.derive(master.encode())


@lru_cache(maxsize=8)
def _aead(master: str) -> AESGCM:
    return AESGCM(_derive(master, "bangfu/encryption/v1", 32))


def encrypt_text(value: str, *, context: str = "") -> str:
    """Encrypt `value`; `context` (associated data) must be given again to decrypt."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(settings.FIELD_KEY).encrypt(nonce, value.encode(), context.encode() or None)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_text(token: str, *, context: str = "") -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("not a bangfu field token")
    try:
        raw = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :].encode("ascii"))
        plain = _aead(settings.FIELD_KEY).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode() or None
        )
    except Exception as exc:  # InvalidTag, binascii.Error, ValueError
        raise DecryptionError("cannot decrypt field token") from exc
    return plain.decode()


def blind_index(value: str, *, purpose: str = "default") -> str:
    """Keyed digest of `value` for exact lookup. Normalise `value` first (e.g. the 18-digit ID)."""
    key = _derive(settings.FIELD_KEY, f"bangfu/blind-index/{purpose}", 32)
    return hashlib.blake2b(value.encode(), key=key, digest_size=16).hexdigest()


def blind_indexer(purpose: str) -> Callable[[str], str]:
    """A fast one-argument indexer for bulk paths: the key is derived once, and the keyed hash's
    state after its key block is computed once and copied per value (the same digest as
    `blind_index`, a third cheaper than keying a new hash each time)."""
    key = _derive(settings.FIELD_KEY, f"bangfu/blind-index/{purpose}", 32)
    keyed = hashlib.blake2b(key=key, digest_size=16)
    copy = keyed.copy

    def index(value: str) -> str:
        digest = copy()
        digest.update(value.encode())
        return digest.hexdigest()

    return index


def encryptor(context: str = "") -> Callable[[str], str]:
    """A fast one-argument encryptor for bulk paths: cipher built once, nonces drawn from the OS a
    batch at a time (still 96 fresh random bits per value), base64 done by one C call."""
    aead = _aead(settings.FIELD_KEY)
    ad = context.encode() or None
    seal = aead.encrypt
    b2a = binascii.b2a_base64
    batch = 4096
    nonces = b""
    offset = len(nonces)

    def encrypt(value: str) -> str:
        nonlocal nonces, offset
        if offset >= len(nonces):
            nonces, offset = os.urandom(_NONCE_BYTES * batch), 0
        nonce = nonces[offset : offset + _NONCE_BYTES]
        offset += _NONCE_BYTES
        token = b2a(nonce + seal(nonce, value.encode(), ad), newline=False).translate(_URLSAFE)
        return TOKEN_PREFIX + token.decode("ascii")

    return encrypt


def bulk_encryptor(context: str = "") -> Callable[[Sequence[str]], list[str]]:
    """`encryptor` for a whole column at once (the registry import's reader process): each value
    under its own fresh random nonce."""
    encrypt = encryptor(context)

    def encrypt_all(values: Sequence[str]) -> list[str]:
        return list(map(encrypt, values))

    return encrypt_all
