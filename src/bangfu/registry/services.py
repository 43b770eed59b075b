"""Every write to the registry. Keyword-only, atomic, audited.

The bulk import lives in `bangfu.registry.importer` (set-based, one transaction) and is called
through `import_registry` here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404

from bangfu.audit.services import record_audit
from bangfu.lib.crypto import decrypt_text
from bangfu.registry.models import Member
from bangfu.registry.selectors import can_view_full_id

ID_CONTEXT = "registry.member.id_number"
PHONE_CONTEXT = "registry.phone"
ID_INDEX_PURPOSE = "id_number"


@transaction.atomic
def reveal_id_number(*, actor: Any, member: Member) -> str:
    """The full ID number, for an in-scope county admin or township clerk; audited every time.
    Anyone else gets 404 (the caller already resolved `member` through the scoping helper)."""
    if not can_view_full_id(actor, member):
        raise Http404("member")
    record_audit(
        actor=actor,
        action="registry.member.reveal_id",
        target=member,
        after={"id_number": member.id_number_masked},
        county_code=member.village.code[:6],
    )
    return decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)
