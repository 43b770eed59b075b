from __future__ import annotations

from datetime import date

from django.test import override_settings

from bangfu.registry.models import Schooling
from bangfu.subsidies.demo import seed_demo
from bangfu.subsidies.models import (
    ApplicationStatus,
    ProgrammeMilestone,
    SanzhiApplicant,
    SanzhiPlacement,
    YuluApplication,
    YuluPayment,
    YuluTerm,
)
from bangfu.subsidies.selectors import reconcile_yulu

from .conftest import OTHER_VILLAGE, make_household, make_member


@override_settings(BANGFU_TODAY=date(2020, 7, 15))
def test_the_demo_shows_real_gaps_and_is_idempotent(county):
    for i in range(30):
        make_member(
            make_household(f"H{i}", OTHER_VILLAGE if i % 2 else "513325100202"),
            i,
            schooling=Schooling.SECONDARY_VOCATIONAL_2 if i % 3 else Schooling.HIGH_2,
        )
    seed_demo(county)
    counts = (
        YuluPayment.objects.count(),
        SanzhiApplicant.objects.count(),
        ProgrammeMilestone.objects.count(),
    )
    seed_demo(county)
    assert counts == (
        YuluPayment.objects.count(),
        SanzhiApplicant.objects.count(),
        ProgrammeMilestone.objects.count(),
    )
    summary = reconcile_yulu(YuluTerm.objects.get(code="2020-spring")).summary()
    assert summary["eligible"] == 20
    assert summary["missing"] >= 1 and summary["late"] == 2 and summary["wrong"] == 1
    assert summary["paid"] == summary["eligible"] - summary["missing"] + summary["wrong"]
    autumn = YuluApplication.objects.filter(term__code="2020-autumn")
    assert autumn.exists() and not autumn.filter(status=ApplicationStatus.PAID).exists()
    assert SanzhiApplicant.objects.filter(plan__year=2020).values("stage").distinct().count() >= 5
    assert SanzhiPlacement.objects.count() == 3


def test_the_demo_pages_render_for_every_role(
    county, client_for, county_admin, township_clerk, unit_reporter
):
    make_member(make_household("H1"), 1, schooling=Schooling.SECONDARY_VOCATIONAL_2)
    seed_demo(county)
    for user in (county_admin, township_clerk, unit_reporter):
        client = client_for(user)
        for url in (
            "/subsidies/yulu/",
            "/subsidies/yulu/2020-spring/",
            "/subsidies/yulu/2020-autumn/applications/",
            "/subsidies/milestones/?year=2020",
            "/subsidies/technician/?year=2020",
            "/subsidies/sanzhi/",
            "/subsidies/sanzhi/2020/",
        ):
            assert client.get(url).status_code == 200, (user, url)
