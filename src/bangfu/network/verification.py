"""Pluggable delivery of mobile verification codes.

The backend is named by the setting `BANGFU_NETWORK_VERIFICATION_BACKEND` (a dotted path to a
class with `send(mobile, code)`); the default prints to the console, which is what the demo uses.
A deployment plugs in its SMS gateway with a class of its own."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from bangfu.lib.idnumbers import mask_phone

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "bangfu.network.verification.ConsoleBackend"


class VerificationBackend(Protocol):
    def send(self, mobile: str, code: str) -> None: ...


class ConsoleBackend:
    """Demo backend: writes the code to the console log, with the mobile masked."""

    def send(self, mobile: str, code: str) -> None:
        logger.info("verification code for %s: %s", mask_phone(mobile), code)


class MemoryBackend:
    """Test backend: keeps every message in `outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, code: str) -> None:
        MemoryBackend.outbox.append((mobile, code))


def get_backend() -> VerificationBackend:
    path = getattr(settings, "BANGFU_NETWORK_VERIFICATION_BACKEND", DEFAULT_BACKEND)
    backend: VerificationBackend = import_string(path)()
    return backend
