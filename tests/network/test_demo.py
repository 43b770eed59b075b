from __future__ import annotations

from datetime import date

from bangfu.network import demo, selectors
from bangfu.network.models import Claim, Need, Order, Product, Supporter
from tests.network.conftest import make_household


def test_the_demo_data_is_idempotent_and_tells_a_story(county, settings) -> None:
    settings.BANGFU_TODAY = date(2020, 7, 15)
    for n in range(3):
        make_household(
            f"51332510020200{n:02d}",
            "513325100202",
            id_number=["513325198001010011", "513325198502020023", "513325199003030036"][n],
            head=f"户主{n}",
        )
    demo.seed_demo(county)
    counts = (
        Supporter.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
        Need.objects.count(),
        Claim.objects.count(),
    )
    demo.seed_demo(county)
    assert counts == (
        Supporter.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
        Need.objects.count(),
        Claim.objects.count(),
    )
    assert counts[0] == 1 + sum(demo.MONTHLY_REGISTRATIONS)
    assert Supporter.objects.filter(invited_by__isnull=False).exists()
    stats = selectors.registration_stats(county, 2020)
    assert stats.growth_percent is not None and stats.growth_percent > 0
    assert selectors.sales_stats(county, 2020).amount > 0
    needs = selectors.need_stats(county, 2020)
    assert (needs.posted, needs.fulfilled) == (6, 2)
    assert needs.matched >= 4
