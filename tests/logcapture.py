"""Capture what the production logging configuration writes, at DEBUG, and look for personal data.

`captured_logs()` applies `settings.LOGGING` itself — its handlers and their filters — with every
logger at DEBUG and the stream handlers writing into a buffer, so a test sees exactly the lines a
deployment would write (and fails if someone takes the redaction filter out of the settings).
`personal_values()` gathers the ID, mobile and bank numbers the database holds in clear or
encrypted form; `leaks(text, values)` names those that appear in the text."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils.log import configure_logging

DEBUG_LOGGERS = (
    "django",
    "django.request",
    "django.server",
    "django.security",
    "django.db.backends",
    "django.template",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "bangfu",
)


@contextmanager
def captured_logs(level: str = "DEBUG") -> Iterator[io.StringIO]:
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        if handler["class"] == "logging.StreamHandler":
            handler["stream"] = stream
    config["root"]["level"] = level
    for name in DEBUG_LOGGERS:
        config["loggers"].setdefault(name, {})["level"] = level
    configure_logging(settings.LOGGING_CONFIG, config)
    try:
        yield stream
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", value).upper()


def personal_values() -> set[str]:
    """Every ID number, mobile/phone number and bank account in the database, in clear."""
    from bangfu.accounts.models import User
    from bangfu.lib.crypto import decrypt_text
    from bangfu.network.models import Supporter
    from bangfu.partners.models import Cadre, Contact
    from bangfu.registry.models import Household, Member
    from bangfu.registry.writer import ID_CONTEXT, PHONE_CONTEXT
    from bangfu.subsidies.models import YuluApplication
    from bangfu.subsidies.services import BANK_CONTEXT

    values: set[str] = set()
    for id_token, phone_token in Member.objects.values_list("id_number_encrypted", "phone_encrypted"):
        values.add(decrypt_text(id_token, context=ID_CONTEXT))
        if phone_token:
            values.add(decrypt_text(phone_token, context=PHONE_CONTEXT))
    for token in Household.objects.exclude(phone_encrypted="").values_list("phone_encrypted", flat=True):
        values.add(decrypt_text(token, context=PHONE_CONTEXT))
    for token in YuluApplication.objects.values_list("bank_account_encrypted", flat=True):
        values.add(decrypt_text(token, context=BANK_CONTEXT))
    values.update(Supporter.objects.values_list("mobile", flat=True))
    values.update(Cadre.objects.values_list("phone", flat=True))
    values.update(Contact.objects.values_list("phone", flat=True))
    values.update(User.objects.values_list("phone", flat=True))
    # Phone fields also hold landlines; only numbers long enough to identify a person count here.
    return {_digits(v) for v in values if len(_digits(v)) >= 11}


def leaks(text: str, values: Iterable[str]) -> set[str]:
    """The values that occur in `text`, also when written with spaces or dashes between digits."""
    runs = {_digits(run) for run in re.findall(r"[0-9Xx][0-9Xx \-]{9,}[0-9Xx]", text)}
    runs |= set(re.findall(r"[0-9Xx]{11,}", text))
    return {value for value in values for run in runs if value in run.upper()}
