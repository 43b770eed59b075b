"""Log records without personal data.

Every handler in `settings.LOGGING` (and gunicorn's own loggers, via `GunicornLogger`) runs
`PersonalDataFilter`, which rewrites the final text of each record — message, traceback and stack —
with `redact`: ID numbers, mobile numbers, bank-card-like numbers and the values of URL query
strings never reach a log line. Patterns, not field names, because personal data reaches logs
through text nobody planned for: a search URL in an access log (`?q=<ID number>`), a database
error quoting a duplicate key, an exception message naming a row.

What `redact` hides:
- any run of 15 or more digits, with or without a final X (18-digit ID numbers, old 15-digit ones,
  disability certificates, bank cards and accounts; also 17-digit household and 19-digit member
  numbers, which identify a registered household just as well);
- the same numbers written in groups (`6222 0212 3456 7890 123`, `513325 19900101 123X`);
- mainland mobile numbers (`13812345678`, `+86 138 1234 5678`, `138-1234-5678`);
- query-string values of URLs (`/registry/households/?q=…`), except short plain values such as
  `page=2`, `status=returned` or an area code (the number patterns above still apply to them);
  search and redirect parameters are always hidden.
Area codes (12 digits), years, amounts and request ids are kept.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging

REDACTED = "[redacted]"

_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,}[0-9Xx](?![0-9])")
_GROUPED_ID = re.compile(r"(?<![0-9])[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx](?![0-9])")
_GROUPED_CARD = re.compile(r"(?<![0-9])[0-9]{4}(?:[ -][0-9]{4}){3,5}(?:[ -][0-9]{1,4})?(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
# A URL path (or full URL) followed by its query string; stops at whitespace and quotes.
_URL_QUERY = re.compile(r"(/[^\s\"'?#]*)\?([^\s\"'#]*)")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.:-]{0,16}")
# Parameters whose values are free text typed by a user or carry another URL: always hidden.
_ALWAYS_HIDDEN = frozenset({"q", "query", "search", "name", "next", "id_number", "mobile", "phone"})


def _query_part(part: str) -> str:
    if "=" not in part:
        return part if _PLAIN_VALUE.fullmatch(part) else REDACTED
    key, value = part.split("=", 1)
    if key.lower() in _ALWAYS_HIDDEN or not _PLAIN_VALUE.fullmatch(value):
        return f"{key}={REDACTED}" if value else part
    return part


def _mask_query(match: re.Match[str]) -> str:
    return f"{match.group(1)}?{'&'.join(_query_part(p) for p in match.group(2).split('&'))}"


def redact(text: str) -> str:
    """`text` with personal data replaced by `[redacted]` (see the module docstring)."""
    if not text:
        return text
    text = _URL_QUERY.sub(_mask_query, text)
    for pattern in (_LONG_NUMBER, _GROUPED_ID, _GROUPED_CARD, _MOBILE):
        text = pattern.sub(REDACTED, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Rewrites a record's final text through `redact`; never drops a record.

    The message is rendered (`msg % args`) and stored back with no args, and the traceback is
    rendered into `exc_text` now, so formatters downstream only ever see redacted text. Records
    already processed (one record passes several handlers) are left alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_bangfu_redacted", False):
            return True
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        setattr(record, "_bangfu_redacted", True)  # noqa: B010 - LogRecord has no such field
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with `PersonalDataFilter` on its access and error logs (`bangfu serve`
    passes `--logger-class bangfu.core.logs.GunicornLogger`): gunicorn formats its access lines
    itself, outside Django's LOGGING, and they carry request lines and referrers with query
    strings."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
                logger.addFilter(PersonalDataFilter())
