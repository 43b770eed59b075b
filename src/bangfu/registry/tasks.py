"""Background tasks (django-tasks; run `bangfu db_worker` for the database backend)."""

from __future__ import annotations

from django_tasks import task

from bangfu.registry.services import execute_import_job


@task()
def run_import_job(job_id: int) -> str:
    job = execute_import_job(job_id=job_id)
    return str(job.status)
