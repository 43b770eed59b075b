"""What the guarded reader's pre-scan costs (issue #18): reading the registry benchmark's file
with python-calamine alone (the reading floor) and through `bangfu.lib.sheets.open_sheet` (pre-scan,
then the same calamine read), alternated in one process, CPU seconds.

    .venv/bin/python bench/sheet_guard.py [--rows 200000] [--repeat 3]

The file is `bench/registry_import.py`'s (made and cached in var/bench/ by it)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = ROOT / "var" / "bench" / f"registry-{args.rows}.xlsx"
    if not path.exists():
        sys.exit(f"{path} is missing: run bench/registry_import.py --rows {args.rows} first")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    os.environ.setdefault("BANGFU_DEBUG", "1")
    import django

    django.setup()
    from python_calamine import CalamineWorkbook

    from bangfu.lib import sheets

    def floor() -> float:
        start = time.process_time()
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        for _row in sheet.iter_rows():
            pass
        return time.process_time() - start

    def guarded() -> tuple[float, float]:
        start = time.process_time()
        sheet = sheets.open_sheet(name=path.name, path=path, use="registry")
        scanned = time.process_time()
        for _row in sheet.rows():
            pass
        return scanned - start, time.process_time() - scanned

    floors, scans, reads = [], [], []
    for _ in range(args.repeat):
        floors.append(floor())
        scan, read = guarded()
        scans.append(scan)
        reads.append(read)
    best_floor, best_scan = min(floors), min(scans)
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB), load average {os.getloadavg()}")
    print(f"calamine alone, load + iterate: {[round(x, 2) for x in floors]} CPU-s (best {best_floor:.2f})")
    print(f"pre-scan: {[round(x, 2) for x in scans]} CPU-s (best {best_scan:.2f})")
    print(f"read after the pre-scan: {[round(x, 2) for x in reads]} CPU-s")
    print(f"pre-scan / calamine alone: {best_scan / best_floor:.0%}")


if __name__ == "__main__":
    main()
