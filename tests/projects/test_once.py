"""Once only (issue #18): a double POST of the allocation form, or two API calls with one
Idempotency-Key, record the money once."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from bangfu.ledger.models import Entry
from bangfu.projects.models import Allocation

from .test_api import api


def test_a_double_post_of_the_allocation_form_records_one_credit(project, county_admin, client_for) -> None:
    client = client_for(county_admin)
    url = reverse("projects:allocation_create", args=[project.code])
    page = client.get(url)
    token = page.context["form"]["submission_token"].value()
    assert token and f'value="{token}"' in page.content.decode()
    before = (Allocation.objects.count(), Entry.objects.count())
    data = {"amount": "2000.00", "source": "county", "memo": "双击", "submission_token": token}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "已经提交过" in second.content.decode()
    assert (Allocation.objects.count(), Entry.objects.count()) == (before[0] + 1, before[1] + 1)
    assert Allocation.objects.filter(amount=Decimal("2000.00")).count() == 1


def test_a_refused_form_can_be_sent_again_with_its_token(project, county_admin, client_for) -> None:
    client = client_for(county_admin)
    url = reverse("projects:allocation_create", args=[project.code])
    token = client.get(url).context["form"]["submission_token"].value()
    refused = client.post(
        url, {"amount": "2000.00", "source": "county", "received_on": "2001-01-01", "submission_token": token}
    )
    assert refused.status_code == 200 and not Allocation.objects.filter(amount=Decimal("2000.00")).exists()
    again = client.post(url, {"amount": "2000.00", "source": "county", "submission_token": token})
    assert again.status_code == 302
    assert Allocation.objects.filter(amount=Decimal("2000.00")).count() == 1


def test_two_api_calls_with_one_idempotency_key_record_one_allocation(project, county_admin) -> None:
    client = api(county_admin)
    url = f"/api/v1/projects/{project.code}/allocations"
    body = {"amount": "3000.00", "source": "county"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-7f3a"}
    first = client.post(url, body, content_type="application/json", **headers)
    second = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    assert second.status_code == 201 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Allocation.objects.filter(amount=Decimal("3000.00")).count() == 1
    other = client.post(
        url, {"amount": "4000.00", "source": "county"}, content_type="application/json", **headers
    )
    assert other.status_code == 422
    assert not Allocation.objects.filter(amount=Decimal("4000.00")).exists()
    fresh = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry-8b1c")
    assert fresh.status_code == 201
    assert Allocation.objects.filter(amount=Decimal("3000.00")).count() == 2
