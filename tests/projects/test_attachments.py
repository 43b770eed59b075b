from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.accounts.services import create_api_token
from bangfu.projects import services
from bangfu.projects.models import Disbursement, DisbursementAttachment
from bangfu.projects.services import add_disbursement_attachment, request_disbursement

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% contract\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def disbursement(project, township_clerk) -> Disbursement:
    return request_disbursement(
        actor=township_clerk, project=project, amount=Decimal("100"), payee="甲", purpose="乙"
    )


def test_a_side_user_attaches_a_document_stored_under_a_random_name(
    disbursement, funder_reporter, media
) -> None:
    upload = SimpleUploadedFile("../../合同 2020-17.PDF", PDF, content_type="application/pdf")
    attachment = add_disbursement_attachment(actor=funder_reporter, disbursement=disbursement, upload=upload)
    assert attachment.name == "合同 2020-17.PDF"
    assert attachment.size == len(PDF)
    assert "合同" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert (media / attachment.file.name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("run.exe", b"MZ", "不允许"), ("empty.pdf", b"", "空的"), ("big.pdf", b"x" * 2048, "超过")],
)
def test_it_refuses_bad_documents(disbursement, funder_reporter, monkeypatch, name, content, message) -> None:
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1024)
    with pytest.raises(ValidationError, match=message):
        add_disbursement_attachment(
            actor=funder_reporter, disbursement=disbursement, upload=SimpleUploadedFile(name, content)
        )
    assert not DisbursementAttachment.objects.exists()


def test_outsiders_cannot_attach(disbursement, counterpart_reporter) -> None:
    with pytest.raises(PermissionDenied):
        add_disbursement_attachment(
            actor=counterpart_reporter, disbursement=disbursement, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not DisbursementAttachment.objects.exists()


def test_a_request_with_a_refused_document_is_refused_whole(project, township_clerk) -> None:
    with pytest.raises(ValidationError):
        request_disbursement(
            actor=township_clerk,
            project=project,
            amount=Decimal("1"),
            payee="a",
            purpose="b",
            upload=SimpleUploadedFile("x.exe", b"MZ"),
        )
    assert not Disbursement.objects.exists()


def test_the_request_form_takes_a_document_and_the_download_is_scoped(
    project, township_clerk, funder_reporter, other_township_clerk, client_for
) -> None:
    response = client_for(township_clerk).post(
        f"/projects/{project.code}/disbursements/new/",
        {"amount": "100", "payee": "甲", "purpose": "乙", "file": SimpleUploadedFile("发票.pdf", PDF)},
    )
    assert response.status_code == 302
    attachment = DisbursementAttachment.objects.get()
    download = client_for(funder_reporter).get(f"/projects/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert client_for(other_township_clerk).get(f"/projects/attachments/{attachment.pk}/").status_code == 404


def test_documents_are_uploaded_over_the_api(disbursement, funder_reporter, client_for) -> None:
    from django.test import Client

    _token, raw = create_api_token(actor=None, user=funder_reporter)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        f"/api/v1/projects/disbursements/{disbursement.pk}/attachments",
        {"file": SimpleUploadedFile("验收单.pdf", PDF)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "验收单.pdf"
    files = client.get(f"/api/v1/projects/disbursements/{disbursement.pk}").json()["files"]
    assert [f["name"] for f in files] == ["验收单.pdf"]
    response = client.post(
        f"/api/v1/projects/disbursements/{disbursement.pk}/attachments",
        {"file": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert response.status_code == 422
    assert DisbursementAttachment.objects.count() == 1
