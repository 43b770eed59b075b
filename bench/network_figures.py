"""Network figures at county scale: registrations, sales and the public needs list.

Seeds (bulk) SUPPORTERS supporters and ORDERS orders into a scratch database (SQLite in a temp
dir unless DATABASE_URL is set), then times the selectors behind /network/stats/ and the API.
Usage: .venv/bin/python bench/network_figures.py [supporters] [orders]"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
os.environ.setdefault("BANGFU_DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["BANGFU_DATA_DIR"] = tempfile.mkdtemp(prefix="bangfu-bench-network-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from bangfu.accounts.models import Role, User  # noqa: E402
from bangfu.areas.models import Area  # noqa: E402
from bangfu.core.demo import seed_demo  # noqa: E402
from bangfu.network import needs_selectors, selectors  # noqa: E402
from bangfu.network.models import BuyerKind, Order, Product, Supporter  # noqa: E402
from bangfu.partners.models import Organisation  # noqa: E402

SUPPORTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
ORDERS = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000


def timed(label: str, func, repeat: int = 3) -> None:
    best = float("inf")
    for _i in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    print(f"{label}: {best * 1000:.1f} ms (best of {repeat})")


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    villages = list(Area.objects.filter(level="village", code__startswith="513325"))
    units = list(Organisation.objects.filter(county=county))
    start = time.perf_counter()
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", role=Role.SUPPORTER, area=county, password="!")
            for i in range(SUPPORTERS)
        ],
        batch_size=5000,
    )
    Supporter.objects.bulk_create(
        [
            Supporter(
                user=u,
                county=county,
                kind="person",
                name=f"S{i}",
                mobile=f"1{i:010d}",
                invited_by=units[i % len(units)] if i % 3 else None,
                registered_on=date(2019, 1, 1) + timedelta(days=i % 700),
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    products = Product.objects.bulk_create(
        [
            Product(
                county=county,
                village=villages[i % len(villages)],
                name=f"P{i}",
                producer_kind="cooperative",
                producer_name="合作社",
                price=Decimal("10.00") + i,
                unit="斤",
                stock=1000,
                certified=i % 2 == 0,
                certificate_number=f"C{i}" if i % 2 == 0 else "",
            )
            for i in range(50)
        ]
    )
    base = datetime(2019, 1, 1, tzinfo=UTC)
    Order.objects.bulk_create(
        [
            Order(
                county=county,
                number=f"B{i:012d}",
                product=products[i % 50],
                quantity=1 + i % 5,
                unit_price=products[i % 50].price,
                amount=products[i % 50].price * (1 + i % 5),
                buyer=users[i % len(users)],
                buyer_kind=BuyerKind.PERSON,
                delivery_address="x",
                placed_on=(base + timedelta(hours=i % 17000)).date(),
                placed_at=base + timedelta(hours=i % 17000),
                status="cancelled" if i % 11 == 0 else "received",
            )
            for i in range(ORDERS)
        ],
        batch_size=5000,
    )
    print(f"seeded {SUPPORTERS} supporters, {ORDERS} orders in {time.perf_counter() - start:.1f} s")
    timed("registration_stats(county, 2020)", lambda: selectors.registration_stats(county, 2020))
    timed("sales_stats(county, 2020)", lambda: selectors.sales_stats(county, 2020))
    timed("need_stats(county, 2020)", lambda: selectors.need_stats(county, 2020))
    timed("public_needs()[:30]", lambda: list(needs_selectors.public_needs()[:30]))
    timed("public_products()[:30]", lambda: list(selectors.public_products()[:30]))


if __name__ == "__main__":
    main()
