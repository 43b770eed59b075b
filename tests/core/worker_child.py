"""Child process for tests/core/test_import_worker_crash.py (test code, not part of the product).

python worker_child.py enqueue FILE   — store FILE as an upload of the demo admin and queue its
                                        import job; prints "JOB <id> <upload path>"
python worker_child.py hang           — the task worker, whose import prints IMPORTING and
                                        sleeps inside the import (the parent kills it there)
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from bangfu.registry import services

    if argv[0] == "enqueue":
        from bangfu.accounts.models import User
        from bangfu.areas.models import Area
        from bangfu.registry.tasks import run_import_job

        path = Path(argv[1])
        job = services.create_import_job(
            actor=User.objects.get(username="admin"),
            county=Area.objects.get(code="513325000000"),
            file_name=path.name,
            content=path.read_bytes(),
            as_of=date(2020, 3, 1),
        )
        run_import_job.enqueue(job.pk)
        print(f"JOB {job.pk} {job.upload_path}", flush=True)
    elif argv[0] == "hang":
        real = services.import_registry

        def hang(**kwargs: Any) -> Any:
            print("IMPORTING", flush=True)
            time.sleep(600)
            return real(**kwargs)

        services.import_registry = hang
        from django.core.management import call_command

        call_command("db_worker", "--no-startup-delay", "--no-reload")


if __name__ == "__main__":
    main(sys.argv[1:])
