"""Every write to the registry. Keyword-only, atomic, audited.

The bulk import lives in `bangfu.registry.importer` (set-based, one transaction) and is called
through `import_registry` here."""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import area_prefix, require_actor_in
from bangfu.areas.models import Area, Level
from bangfu.audit.services import record_audit
from bangfu.core.filemodes import PRIVATE_FILE, private_dir, write_private
from bangfu.lib import clock, sheets
from bangfu.lib.crypto import decrypt_text
from bangfu.registry.importer import (
    HEADER_SCAN_ROWS,
    FileProblem,
    Header,
    RowError,
    RowParser,
    cell_text,
    detect_header,
    read_rows,
)
from bangfu.registry.models import IMPORT_TRANSITIONS, ImportJob, ImportStatus, Member
from bangfu.registry.reading import parsed_windows
from bangfu.registry.selectors import can_view_full_id
from bangfu.registry.writer import ID_CONTEXT, ID_INDEX_PURPOSE, PHONE_CONTEXT, Outcome, RecordWriter

__all__ = [
    "ID_CONTEXT",
    "ID_INDEX_PURPOSE",
    "PHONE_CONTEXT",
    "FileProblem",
    "import_registry",
    "reveal_id_number",
]


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
        county=member.village,
    )
    return decrypt_text(member.id_number_encrypted, context=ID_CONTEXT)


# --- import ---------------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    """The counts the CLI prints as its last line (keys fixed by issue #3)."""

    rows: int
    accepted: int
    rejected: int
    warnings: int
    households: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    seconds: float
    errors: list[RowError] = field(default_factory=list, repr=False)
    warning_messages: list[str] = field(default_factory=list, repr=False)
    header: Header | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in SUMMARY_KEYS}


SUMMARY_KEYS = (
    "rows",
    "accepted",
    "rejected",
    "warnings",
    "households",
    "created",
    "updated",
    "unchanged",
    "deactivated",
    "seconds",
)


# Rows parsed per window (see `import_registry`); tests pass a tiny one to cross window edges.
CHUNK_ROWS = 5_000


class _DryRun(Exception):
    pass


def import_registry(
    *,
    actor: Any,
    path: Path | str,
    data: bytes | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
    full: bool = False,
    strict_areas: bool = False,
    allowed_prefix: str | None = None,
    import_job: ImportJob | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    file_name: str | None = None,
) -> ImportSummary:
    """Import a national-system export (xlsx/xls/csv), all or nothing.

    Rows that fail validation are rejected (listed in `errors`), the rest are upserted by ID
    number inside ONE transaction: a crash or kill leaves the database as before. Raises
    FileProblem (nothing written) for an unreadable file, missing columns, or an `as_of` earlier
    than data already imported. `allowed_prefix` restricts rows to an area subtree (web uploads)."""
    require_actor_in(actor, None, Role.COUNTY_ADMIN)
    # A person imports only into their own area: the rows are restricted to it.
    own = area_prefix(actor) if actor is not None else None
    if own is not None and not (allowed_prefix or own).startswith(own):
        raise PermissionDenied
    allowed_prefix = allowed_prefix or own
    with _fewer_gc_passes():
        return _import_registry(
            actor=actor,
            path=path,
            data=data,
            as_of=as_of,
            dry_run=dry_run,
            full=full,
            strict_areas=strict_areas,
            allowed_prefix=allowed_prefix,
            import_job=import_job,
            progress=progress,
            chunk_rows=chunk_rows,
            file_name=file_name,
        )


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """An import allocates millions of short-lived, acyclic objects (cells, records, row tuples);
    with the default thresholds the cycle collector runs every 700 allocations and re-walks the
    ever-growing heap of records, ~25 % of the import's CPU (docs/benchmarks.md). Collect less
    often meanwhile; cycles are still collected."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _import_registry(
    *,
    actor: Any,
    path: Path | str,
    data: bytes | None,
    as_of: date | None,
    dry_run: bool,
    full: bool,
    strict_areas: bool,
    allowed_prefix: str | None,
    import_job: ImportJob | None,
    progress: Callable[[int, int, str], None] | None,
    chunk_rows: int,
    file_name: str | None,
) -> ImportSummary:
    started = time.perf_counter()
    as_of = as_of or clock.today()
    report = progress or (lambda done, total, phase: None)
    today = clock.today()
    rows_iter = read_rows(path, data, name=file_name)
    head = list(itertools.islice(rows_iter, HEADER_SCAN_ROWS))
    header = detect_header(head)
    parser = RowParser(header, today=max(today, as_of))
    outcome = Outcome()
    county_names: set[str] = set()
    next_row = header.row_index + 2  # 1-based number of the first row after the header
    remaining = itertools.chain(head[header.row_index + 1 :], rows_iter)
    size = len(data) if data is not None else os.stat(path).st_size

    def phase(name: str) -> None:
        report(outcome.rows, outcome.rows, name)

    try:
        with transaction.atomic():
            with RecordWriter(
                outcome=outcome,
                actor=actor,
                as_of=as_of,
                full=full,
                strict_areas=strict_areas,
                allowed_prefix=allowed_prefix,
                dry_run=dry_run,
                import_job_id=import_job.pk if import_job is not None else None,
                progress=phase,
            ) as writer:
                # Rows are parsed a window at a time, column by column (`parse_chunk`), in a
                # reader process for a large file, and each window is written as it comes: the
                # window bounds the rows held, and reading overlaps writing.
                for records, errors, counted in parsed_windows(
                    remaining, parser, next_row, chunk_rows, size=size
                ):
                    outcome.rows += counted
                    county_names.update(r.county for r in records)
                    writer.add(records, errors)
                    report(outcome.rows, 0, "read")
                report(outcome.rows, outcome.rows, "read")
                writer.finish()
            county_codes = sorted(county_names)
            record_audit(
                actor=actor,
                action="registry.import",
                target_type="registry.importjob",
                target_id=str(import_job.pk) if import_job is not None else "",
                after={
                    "file": Path(path).name,
                    "as_of": as_of.isoformat(),
                    "full": full,
                    "dry_run": dry_run,
                    "rows": outcome.rows,
                    "accepted": outcome.accepted,
                    "rejected": outcome.rejected,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "deactivated": outcome.deactivated,
                },
                county=_county_of(county_codes),
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ImportSummary(
        rows=outcome.rows,
        accepted=outcome.accepted,
        rejected=outcome.rejected,
        warnings=len(outcome.warnings),
        households=outcome.households,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        deactivated=outcome.deactivated,
        seconds=round(time.perf_counter() - started, 3),
        errors=outcome.errors,
        warning_messages=outcome.warnings,
        header=header,
    )


def _county_of(county_names: list[str]) -> Area | None:
    if len(county_names) != 1:
        return None
    return Area.objects.filter(level=Level.COUNTY, name=county_names[0]).first()


def write_error_file(
    *, source: Path | str, data: bytes | None = None, summary: ImportSummary, out: Path | str | io.BytesIO
) -> None:
    """The rejected rows as .xlsx: original row number, the original cells, a reason (Chinese).
    The source is read again, so the import itself never keeps raw rows in memory."""
    reasons = {e.row: e.reason for e in summary.errors}
    header = summary.header
    labels = header.labels if header else []

    def rows() -> Iterator[list[Any]]:
        for number, cells in enumerate(read_rows(source, data), start=1):
            reason = reasons.get(number)
            if reason is not None:
                texts = [cell_text(c) for c in cells]
                yield [number, *texts, *[""] * (len(labels) - len(texts)), reason]

    sheets.write_table(out, sheet_name="错误行", header=["原行号", *labels, "错误原因"], rows=rows())


# --- tracked import jobs (web upload) -------------------------------------------------------------
IMPORT_DIR = "registry-imports"
# Uploads up to this size, whose sheet inflates to at most INLINE_SHEET_BYTES, run inside the
# request, so the demo works without a task worker; larger ones wait for `bangfu db_worker`
# (django-tasks-db). Tests use the immediate backend anyway.
INLINE_IMPORT_BYTES = 2 * 1024 * 1024
INLINE_SHEET_BYTES = 16 * 1024 * 1024


def _media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


@transaction.atomic
def create_import_job(
    *,
    actor: Any,
    county: Area,
    file_name: str,
    content: bytes,
    as_of: date,
    full: bool = False,
    strict_areas: bool = False,
    dry_run: bool = False,
) -> ImportJob:
    """Store the upload (readable by bangfu's user only) and record a queued job (run it with
    `start_import_job`)."""
    require_actor_in(actor, county, Role.COUNTY_ADMIN)
    suffix = Path(file_name).suffix.lower()
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}{suffix}"
    target = _media_path(relative)
    private_dir(target.parent)
    write_private(target, content)
    job = ImportJob.objects.create(
        county=county,
        created_by=actor,
        file_name=Path(file_name).name[:200],
        upload_path=relative,
        as_of=as_of,
        full=full,
        strict_areas=strict_areas,
        dry_run=dry_run,
    )
    record_audit(
        actor=actor,
        action="registry.import_job.create",
        target=job,
        after={"file": job.file_name, "as_of": as_of.isoformat(), "full": full, "dry_run": dry_run},
        county=county,
    )
    return job


def start_import_job(*, job: ImportJob, size: int, content: bytes | None = None) -> None:
    """Run small uploads now, enqueue larger ones for the task worker."""
    from bangfu.registry.tasks import run_import_job

    small = size <= INLINE_IMPORT_BYTES and (
        content is None or sheets.inflated_size(content) <= INLINE_SHEET_BYTES
    )
    if small:
        run_import_job.call(job.pk)
    else:
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


def _set_status(job: ImportJob, status: ImportStatus, **fields: Any) -> None:
    if status not in IMPORT_TRANSITIONS[ImportStatus(job.status)]:
        raise ValueError(f"import job {job.pk}: {job.status} → {status} is not allowed")
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute_import_job(*, job_id: int) -> ImportJob:
    """The task body: the same `import_registry` as the CLI, with progress saved on the job. The
    job always ends, succeeded or failed, and the uploaded file is deleted when it ends; a process
    killed meanwhile leaves a running job that `recover_stalled_import_jobs` ends."""
    job = ImportJob.objects.select_related("created_by__area", "county").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return job
    _set_status(
        job, ImportStatus.RUNNING, started_at=clock.now(), worker=this_worker(), heartbeat_at=clock.now()
    )
    source = _media_path(job.upload_path)
    try:
        return _run_import_job(job, source)
    finally:
        # The upload holds personal data in clear: keep it no longer than the import needs it.
        source.unlink(missing_ok=True)
        job.refresh_from_db(fields=["status"])
        if job.status == ImportStatus.RUNNING:  # interrupted by something no handler saw
            _set_status(
                job, ImportStatus.FAILED, message=_("导入被中断，请重新上传。"), finished_at=clock.now()
            )


def _run_import_job(job: ImportJob, source: Path) -> ImportJob:
    actor = job.created_by
    prefix = actor.area.prefix if actor is not None and actor.area is not None else job.county.prefix

    def progress(done: int, total: int, phase: str) -> None:
        # Only the reading phase reports: the write phase holds the database's write lock.
        if phase == "read":
            ImportJob.objects.filter(pk=job.pk).update(
                rows_done=done, rows_total=total, heartbeat_at=clock.now()
            )

    try:
        summary = import_registry(
            actor=actor,
            path=source,
            as_of=job.as_of,
            dry_run=job.dry_run,
            full=job.full,
            strict_areas=job.strict_areas,
            allowed_prefix=prefix,
            import_job=job,
            progress=progress,
            file_name=job.file_name,
        )
        error_file = ""
        if summary.errors:
            error_file = f"{IMPORT_DIR}/errors-{job.pk}.xlsx"
            write_error_file(source=source, summary=summary, out=_media_path(error_file))
            _media_path(error_file).chmod(PRIVATE_FILE)
    except FileProblem as exc:
        _set_status(job, ImportStatus.FAILED, message=str(exc), finished_at=clock.now())
        return job
    except Exception as exc:  # the job must end in a state the user can see
        _set_status(
            job,
            ImportStatus.FAILED,
            message=_("导入出错：%(error)s") % {"error": type(exc).__name__},
            finished_at=clock.now(),
        )
        raise
    job.refresh_from_db(fields=["status"])
    _set_status(
        job,
        ImportStatus.SUCCEEDED,
        summary=summary.as_dict(),
        rows_done=summary.rows,
        rows_total=summary.rows,
        error_file=error_file,
        message="\n".join(summary.warning_messages[:200]),
        finished_at=clock.now(),
    )
    return job


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stalled_import_jobs() -> list[ImportJob]:
    """Fail every running import job whose process is gone (same host) or that reported no
    progress for `settings.IMPORT_STALL_MINUTES`, and delete its uploaded file. Run by the task
    worker at start-up (`bangfu db_worker`) and by `bangfu check-integrity`."""
    host = socket.gethostname()
    stale_before = clock.now() - timedelta(minutes=settings.IMPORT_STALL_MINUTES)
    ended: list[ImportJob] = []
    for job in ImportJob.objects.filter(status=ImportStatus.RUNNING).select_related("county"):
        worker_host, _sep, pid = job.worker.rpartition(":")
        gone = worker_host == host and pid.isdigit() and not _process_alive(int(pid))
        silent = (job.heartbeat_at or job.started_at or job.created_at) < stale_before
        if (gone or silent) and _fail_stalled(job.pk, gone=gone):
            ended.append(job)
    return ended


@transaction.atomic
def _fail_stalled(job_id: int, *, gone: bool) -> bool:
    job = ImportJob.objects.select_for_update().select_related("county").get(pk=job_id)
    if job.status != ImportStatus.RUNNING:
        return False
    reason = _("处理导入的进程已停止") if gone else _("导入长时间没有进展")
    _set_status(
        job,
        ImportStatus.FAILED,
        message=_("导入中断（%(reason)s），未写入任何数据，请重新上传。") % {"reason": reason},
        finished_at=clock.now(),
    )
    if job.upload_path:
        _media_path(job.upload_path).unlink(missing_ok=True)
    record_audit(
        actor=None,
        action="registry.import_job.fail_stalled",
        target=job,
        after={"reason": "worker_gone" if gone else "no_progress"},
        county=job.county,
    )
    return True
