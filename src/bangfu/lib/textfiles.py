"""Read text files the way Chinese offices save them: UTF-8, UTF-8 with BOM, or GB18030."""

from __future__ import annotations

import codecs


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 is tried first: valid UTF-8 is almost never accidental
    GB18030, while GB18030 accepts nearly any byte string and so must come last."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"
