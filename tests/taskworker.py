"""Run the django-tasks database worker inside the test process."""

from __future__ import annotations

import signal

from django.core.management import call_command

_SIGNALS = [signal.SIGINT, signal.SIGTERM, *([signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])]


def run_db_worker() -> None:
    """`bangfu db_worker --batch`: run every queued task, then return. The worker installs its own
    SIGINT/SIGTERM handlers and leaves them behind; pytest's are put back."""
    saved = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay")
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
