"""The public side never shows a household member's name, ID number or phone, nor a supporter's
name or mobile: walk every public page and API response reachable from the public entry points."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client

from bangfu.areas.models import Area
from bangfu.network import services
from bangfu.network.models import Invitation
from tests.network.conftest import HEAD_ID, HEAD_NAME, VILLAGE, post_need

HREF_RE = re.compile(r'href="(/[^"#?]*)')
SEEDS = [
    "/network/needs/",
    "/network/needs/?open=1",
    "/network/products/",
    "/network/join/",
    "/api/v1/network/needs",
    "/api/v1/network/products",
]


def _walk(client: Client, seeds: list[str], extra: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = [*seeds, *extra]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = body.decode(errors="replace")
        if response.status_code != 200:
            continue
        for link in HREF_RE.findall(seen[url]):
            if link.startswith(("/network/", "/api/v1/network/")) and link not in seen:
                queue.append(link)
    return seen


def test_no_personal_data_on_any_public_page_or_api_response(
    household,
    other_household,
    village_officer,
    township_clerk,
    supporter,
    org_supporter,
    county_admin,
    county,
) -> None:
    open_need = services.review_need(
        actor=township_clerk, need=post_need(village_officer, household, title="学生书包"), approve=True
    )
    claimed = services.review_need(
        actor=township_clerk,
        need=post_need(village_officer, household, category="medical", title="轮椅", quantity="1台"),
        approve=True,
    )
    claim = services.claim_need(actor=supporter.user, need=claimed)
    fulfilled = services.review_need(
        actor=township_clerk,
        need=post_need(village_officer, household, category="necessities", title="冬季棉被", quantity="2床"),
        approve=True,
    )
    done = services.claim_need(actor=org_supporter.user, need=fulfilled)
    services.deliver_claim(actor=org_supporter.user, claim=done, note="已送到")
    services.confirm_claim(actor=village_officer, claim=done, note="户主已签收")
    pending = post_need(village_officer, household, title="待审核的需求")
    services.create_product(
        actor=county_admin,
        village=Area.objects.get(code=VILLAGE),
        name="手工藏香",
        producer_kind="household",
        producer_name=HEAD_NAME,
        price=Decimal("30.00"),
        unit="盒",
        stock=5,
    )
    services.issue_invitations(actor=county_admin, county=county)
    code = Invitation.objects.first().code  # type: ignore[union-attr]

    client = Client()
    pages = _walk(
        client,
        SEEDS,
        [
            f"/network/join/{code}/",
            f"/api/v1/network/needs/{open_need.pk}",
            f"/api/v1/network/needs/{claimed.pk}",
            f"/api/v1/network/needs/{fulfilled.pk}",
        ],
    )
    # The walk reached the need and product detail pages through their links.
    assert f"/network/needs/{open_need.pk}/" in pages
    assert f"/network/needs/{fulfilled.pk}/" in pages
    assert any(u.startswith("/network/products/") and u != "/network/products/" for u in pages)
    assert len(pages) >= 12

    forbidden = [
        HEAD_NAME,
        "次仁卓玛",
        HEAD_ID,
        "13512345678",
        "135****5678",
        household.number,
        supporter.name,
        supporter.mobile,
        org_supporter.name,
        org_supporter.mobile,
        org_supporter.uscc,
        "户主已签收",  # the officer's confirmation note is internal
        claim.supporter.name,
    ]
    for url, body in pages.items():
        for secret in forbidden:
            assert secret not in body, f"{secret!r} leaked on {url}"
    # A pending need is not public at all.
    assert client.get(f"/network/needs/{pending.pk}/").status_code == 404
    assert client.get(f"/api/v1/network/needs/{pending.pk}").status_code == 404
    # The public need carries only village, category and the need.
    api_need = client.get(f"/api/v1/network/needs/{open_need.pk}").json()
    assert set(api_need) == {
        "id", "county", "township", "village", "village_code", "category", "category_label",
        "title", "description", "quantity", "amount", "deadline", "status", "claimable",
    }  # fmt: skip
    assert api_need["village"] == "然布村"
