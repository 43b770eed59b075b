from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """The request of a logged-in view (for type checking; Django sets `user`)."""

    user: User  # type: ignore[assignment]
