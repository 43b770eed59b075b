"""Open problems of the registry: import jobs that failed lately or seem stalled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.areas.models import Area
from bangfu.lib import clock
from bangfu.lib.attention import AttentionItem, Severity, attention_source
from bangfu.registry.models import ImportJob, ImportStatus

RECENT = timedelta(days=7)  # a failed import is worth a look this long after it ended


@attention_source("registry.import_failed", live=True)  # stalled: minutes since a heartbeat
def import_failed(county: Area, today: date) -> Iterator[AttentionItem]:
    """Failed imports of the last `RECENT` days (not dry runs) and running or queued ones with no
    progress for `IMPORT_STALL_MINUTES` (one query). The county admin, who imports, acts."""
    stale_before = clock.now() - timedelta(minutes=settings.IMPORT_STALL_MINUTES)
    since = today - RECENT
    jobs = ImportJob.objects.filter(county=county, dry_run=False).filter(
        Q(status=ImportStatus.FAILED, finished_at__date__gte=since)
        | Q(status=ImportStatus.FAILED, finished_at__isnull=True, created_at__date__gte=since)
        | Q(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING), created_at__lt=stale_before)
    )
    for pk, name, status, created_at, heartbeat_at in jobs.values_list(
        "pk", "file_name", "status", "created_at", "heartbeat_at"
    ).order_by("created_at"):
        if status != ImportStatus.FAILED and heartbeat_at is not None and heartbeat_at >= stale_before:
            continue
        failed = status == ImportStatus.FAILED
        yield AttentionItem(
            kind="registry.import_failed",
            severity=Severity.CRITICAL if failed else Severity.WARNING,
            title=f"建档立卡数据导入“{name}”{'失败' if failed else '长时间无进展'}，请查看原因后重新导入",
            url=f"/registry/imports/{pk}/",
            since=min(timezone.localdate(created_at), today),
            roles=(Role.COUNTY_ADMIN,),
            area_code=county.code,
            in_bulletin=False,
            extra={"job": pk, "status": status},
        )
