from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.audit.models import AuditRecord
from bangfu.network import services
from bangfu.network.models import Claim, ClaimStatus, Need, NeedStatus
from tests.network.conftest import HEAD_ID, HEAD_NAME, post_need, register, verify

TODAY = date(2020, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.BANGFU_TODAY = TODAY


@pytest.fixture
def second_supporter(county):
    return verify(register(county, "13800000003", name="王爱心"))


def test_a_village_officer_posts_a_need_that_waits_for_review(household, village_officer, client) -> None:
    need = post_need(village_officer, household)
    assert (need.status, need.village, need.county.code, need.posted_on) == (
        NeedStatus.PENDING,
        household.village,
        "513325000000",
        TODAY,
    )
    assert AuditRecord.objects.filter(action="network.need.post", target_id=str(need.pk)).exists()
    # Not public before review.
    assert client.get(reverse("network:need", args=[need.pk])).status_code == 404
    assert client.get("/api/v1/network/needs").json() == []


def test_a_village_officer_posts_only_for_households_of_its_village(
    other_household, village_officer, township_clerk
) -> None:
    with pytest.raises(PermissionDenied):
        post_need(village_officer, other_household)
    with pytest.raises(PermissionDenied):
        post_need(township_clerk, other_household)
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("description", f"户主{HEAD_NAME}家的孩子需要书包", "姓名"),
        ("title", f"身份证{HEAD_ID}", "证件号码或电话号码"),
        ("description", "请联系13512345678", "证件号码或电话号码"),
    ],
)
def test_it_refuses_public_text_that_identifies_the_household(
    household, village_officer, field, text, message
) -> None:
    with pytest.raises(ValidationError) as exc:
        post_need(village_officer, household, **{field: text})
    assert message in " ".join(exc.value.message_dict[field])
    assert not Need.objects.exists()


def test_it_validates_the_need(household, village_officer) -> None:
    with pytest.raises(ValidationError) as exc:
        post_need(village_officer, household, category="x", quantity="", deadline=TODAY - timedelta(days=1))
    assert set(exc.value.message_dict) >= {"category", "quantity", "deadline"}
    assert not Need.objects.exists()


def test_the_township_reviews_needs_of_its_own_villages_only(
    household, village_officer, township_clerk, other_township_clerk, client_for
) -> None:
    need = post_need(village_officer, household)
    assert (
        client_for(other_township_clerk).get(reverse("network:manage_need", args=[need.pk])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.review_need(actor=other_township_clerk, need=need, approve=True)
    with pytest.raises(ValidationError):
        services.review_need(actor=township_clerk, need=need, approve=False, note="")
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING
    response = client_for(township_clerk).post(
        reverse("network:need_review", args=[need.pk]), {"approve": "1"}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.published_on, need.reviewed_by) == (NeedStatus.PUBLISHED, TODAY, township_clerk)


def test_a_supporter_claims_and_a_second_claim_is_refused(
    published_need, supporter, second_supporter
) -> None:
    claim = services.claim_need(actor=supporter.user, need=published_need)
    assert (claim.status, claim.claimed_on, claim.expires_on) == (
        ClaimStatus.ACTIVE,
        TODAY,
        TODAY + timedelta(days=14),
    )
    published_need.refresh_from_db()
    assert published_need.status == NeedStatus.CLAIMED
    with pytest.raises(ValidationError) as exc:
        services.claim_need(actor=second_supporter.user, need=published_need)
    assert "已被认领" in str(exc.value)
    assert Claim.objects.count() == 1


def test_an_unverified_supporter_or_staff_cannot_claim(published_need, county, village_officer) -> None:
    with pytest.raises(ValidationError):
        services.claim_need(actor=register(county, "13800000009").user, need=published_need)
    with pytest.raises(PermissionDenied):
        services.claim_need(actor=village_officer, need=published_need)
    assert not Claim.objects.exists()


def test_a_claim_expires_after_the_configured_days(
    published_need, supporter, second_supporter, county_admin, settings, client
) -> None:
    services.update_network_settings(
        actor=county_admin, county=published_need.county, baseline_registrations=0, claim_days=7
    )
    first = services.claim_need(actor=supporter.user, need=published_need)
    assert first.expires_on == TODAY + timedelta(days=7)
    # On the last day it still holds.
    settings.BANGFU_TODAY = TODAY + timedelta(days=7)
    with pytest.raises(ValidationError):
        services.claim_need(actor=second_supporter.user, need=published_need)
    # The day after, the need is claimable again, publicly too, and a new claim replaces the old one.
    settings.BANGFU_TODAY = TODAY + timedelta(days=8)
    listed = client.get("/api/v1/network/needs").json()
    assert [(n["id"], n["claimable"]) for n in listed] == [(published_need.pk, True)]
    with pytest.raises(ValidationError) as exc:
        services.deliver_claim(actor=supporter.user, claim=first, note="送到了")
    assert "已过期" in str(exc.value)
    second = services.claim_need(actor=second_supporter.user, need=published_need)
    first.refresh_from_db()
    assert first.status == ClaimStatus.EXPIRED
    assert second.status == ClaimStatus.ACTIVE


def test_the_daily_sweep_expires_lapsed_claims(published_need, supporter, settings) -> None:
    claim = services.claim_need(actor=supporter.user, need=published_need)
    assert services.expire_claims(actor=None) == 0
    settings.BANGFU_TODAY = TODAY + timedelta(days=15)
    call_command("network_expire_claims")
    claim.refresh_from_db()
    published_need.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED
    assert published_need.status == NeedStatus.PUBLISHED


def test_delivery_confirmed_by_the_village_officer_fulfils_the_need(
    published_need, supporter, village_officer, other_village_officer, client_for, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = services.claim_need(actor=supporter.user, need=published_need)
    client = client_for(supporter.user)
    assert (
        client.post(
            reverse("network:claim_deliver", args=[claim.pk]), {"note": "书包文具已寄到村委会"}
        ).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DELIVERED
    # Another village's officer cannot even see it.
    outsider = client_for(other_village_officer)
    assert outsider.post(reverse("network:claim_confirm", args=[claim.pk]), {"note": "x"}).status_code == 404
    photo = SimpleUploadedFile("handover.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")
    response = client_for(village_officer).post(
        reverse("network:claim_confirm", args=[claim.pk]), {"note": "已当面交给学生", "photo": photo}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    published_need.refresh_from_db()
    assert (claim.status, claim.confirmed_by, claim.confirmed_on) == (
        ClaimStatus.CONFIRMED,
        village_officer,
        TODAY,
    )
    assert claim.confirm_photo.name.endswith(".jpg")
    assert published_need.status == NeedStatus.FULFILLED
    assert client_for(village_officer).get(reverse("network:claim_photo", args=[claim.pk])).status_code == 200


def test_a_withdrawn_claim_reopens_the_need(published_need, supporter, second_supporter) -> None:
    claim = services.claim_need(actor=supporter.user, need=published_need)
    with pytest.raises(PermissionDenied):
        services.withdraw_claim(actor=second_supporter.user, claim=claim, reason="x")
    services.withdraw_claim(actor=supporter.user, claim=claim, reason="无法按期完成")
    published_need.refresh_from_db()
    assert published_need.status == NeedStatus.PUBLISHED
    assert services.claim_need(actor=second_supporter.user, need=published_need).status == ClaimStatus.ACTIVE


def test_claiming_through_the_api(published_need, supporter, second_supporter, client, client_for) -> None:
    url = f"/api/v1/network/needs/{published_need.pk}/claim"
    assert client.post(url).status_code == 401
    response = client_for(supporter.user).post(url)
    assert response.status_code == 201
    assert response.json()["expires_on"] == "2020-06-15"
    response = client_for(second_supporter.user).post(url)
    assert response.status_code == 422
    assert "已被认领" in str(response.json()["detail"])
    assert client.post(f"/api/v1/network/needs/{published_need.pk + 999}/claim").status_code in (401, 404)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locking needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_yield_exactly_one(demo, settings) -> None:
    from tests.network.conftest import make_household

    settings.BANGFU_TODAY = TODAY
    county = User.objects.get(username="admin").area
    officer = User.objects.get(username="village")
    clerk = User.objects.get(username="township")
    need = services.review_need(
        actor=clerk, need=post_need(officer, make_household("5133251002029999", "513325100202")), approve=True
    )
    claimants = []
    for i in range(2):
        s = register(county, f"1360000000{i}")
        services.mark_mobile_verified(
            actor=User.objects.get(username="admin"), supporter=s, reason="电话回访"
        )
        claimants.append(s.user)
    for _round in range(3):  # a few rounds: each must end with exactly one winner
        barrier = threading.Barrier(2)
        results: list[str] = []
        lock = threading.Lock()

        def claim(user, barrier=barrier, results=results, lock=lock) -> None:
            try:
                barrier.wait()
                services.claim_need(actor=user, need=need)
                outcome = "ok"
            except ValidationError:
                outcome = "refused"
            finally:
                connections.close_all()
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=claim, args=(u,)) for u in claimants]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["ok", "refused"]
        assert Claim.objects.filter(need=need, status=ClaimStatus.ACTIVE).count() == 1
        # Reopen for the next round.
        active = Claim.objects.get(need=need, status=ClaimStatus.ACTIVE)
        services.withdraw_claim(actor=active.supporter.user, claim=active, reason="再来一轮")


def test_a_confirmation_photo_must_be_an_image(
    published_need, supporter, village_officer, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    claim = services.claim_need(actor=supporter.user, need=published_need)
    services.deliver_claim(actor=supporter.user, claim=claim, note="已送达")
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.confirm_claim(actor=village_officer, claim=claim, note="收到", photo=fake)
    assert "JPG、PNG 或 WebP" in " ".join(exc.value.message_dict["photo"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DELIVERED
    assert not list(tmp_path.rglob("*.jpg"))


def test_a_need_past_its_deadline_cannot_be_claimed(published_need, supporter, settings, client) -> None:
    settings.BANGFU_TODAY = published_need.deadline + timedelta(days=1)
    assert client.get("/api/v1/network/needs?claimable=true").json() == []
    with pytest.raises(ValidationError) as exc:
        services.claim_need(actor=supporter.user, need=published_need)
    assert "截止日期" in str(exc.value)
    assert not Claim.objects.exists()
