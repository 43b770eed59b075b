"""Import a 10,000-row donation statement (CSV, GB18030) and render the public disclosure.

Run: .venv/bin/python bench/charity_import.py  (uses a fresh SQLite database in a temp dir, or
DATABASE_URL when set — then it must be a throwaway database: the script migrates and flushes it).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bangfu-bench-")
    os.environ.setdefault("BANGFU_DATA_DIR", tmp)
    os.environ.setdefault("BANGFU_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from bangfu.accounts.models import User
    from bangfu.areas.models import Area
    from bangfu.charity import services
    from bangfu.charity.models import Donation
    from bangfu.core.demo import seed_demo
    from bangfu.partners.models import Organisation

    seed_demo(full=False)
    admin = User.objects.get(username="admin")
    county = Area.objects.get(code="513325000000")
    campaign = services.create_campaign(
        actor=admin,
        county=county,
        year=2020,
        name="基准测试活动",
        organiser=Organisation.objects.get(county=county, code="C09"),
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
        target=Decimal("1000000"),
    )
    villages = list(Area.objects.filter(level="village").values_list("code", flat=True))
    lines = ["收据编号,捐赠人类型,捐赠人,金额,捐赠日期,渠道,同意公开,定向,定向村代码"]
    for i in range(ROWS):
        earmark = ("定向到村", villages[i % len(villages)]) if i % 5 == 0 else ("", "")
        lines.append(
            f"B{i:07d},个人,捐赠人{i},{(i % 500) + 1}.50,2020-01-02,bank,"
            f"{'是' if i % 2 else '否'},{earmark[0]},{earmark[1]}"
        )
    data = ("\n".join(lines) + "\n").encode("gb18030")
    started = time.perf_counter()
    result = services.import_donations(actor=admin, campaign=campaign, data=data, filename="bench.csv")
    elapsed = time.perf_counter() - started
    assert result.count == ROWS == Donation.objects.count()
    print(f"import {ROWS} rows (csv/gb18030): {elapsed:.2f} s ({ROWS / elapsed:,.0f} rows/s)")
    client = Client(HTTP_HOST="localhost")
    started = time.perf_counter()
    response = client.get(f"/disclosure/{campaign.code}/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"disclosure page with {ROWS} donations: {elapsed:.2f} s, {len(response.content) / 1e6:.1f} MB")
    started = time.perf_counter()
    response = client.get(f"/disclosure/{campaign.code}/disclosure.xlsx")
    print(f"disclosure.xlsx: {time.perf_counter() - started:.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
