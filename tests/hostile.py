"""Malformed files for the upload and import tests (test code): each is (file name, bytes)."""

from __future__ import annotations

import io
import os
import zipfile

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx(sheet_data: bytes) -> bytes:
    """A minimal workbook whose first sheet's <sheetData> is `sheet_data`."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + sheet_data + b"</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """One cell at XFD1048576: calamine would allocate 16384 × 1048576 cells (~7 KB file)."""
    return xlsx(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )


def high_ratio() -> bytes:
    """A sheet that inflates a thousandfold (200 MB of blanks)."""
    return xlsx(b'<row r="1"><c r="A1"><v>1</v></c></row>' + b" " * (200 << 20))


def long_cell_csv(header: str) -> bytes:
    return (header + "\n" + "很" * 200_000 + "\n").encode("utf-8")


# name → (file name, content); the name says what the file is.
def cases(header: str) -> dict[str, tuple[str, bytes]]:
    return {
        "dimension-bomb": ("bomb.xlsx", dimension_bomb()),
        "high-ratio": ("ratio.xlsx", high_ratio()),
        "utf16-junk": ("unicode.csv", ("\x07\x08" * 2000).encode("utf-16")),
        "random-bytes": ("random.csv", os.urandom(4096)),
        "renamed": ("renamed.csv", xlsx(b'<row r="1"><c r="A1"><v>1</v></c></row>')),
        "long-cell": ("long.csv", long_cell_csv(header)),
        "empty": ("empty.xlsx", b""),
    }
