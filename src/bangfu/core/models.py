from __future__ import annotations

from django.db import models


class Submission(models.Model):
    """One money form submission (its one-time token) or one API write (its `Idempotency-Key`),
    claimed in the transaction that does the work: a repeat finds the claim and gets the first
    one's outcome instead of doing the work again (bangfu.core.once)."""

    # "form:<user id>" or "api:<hash of the credentials>": keys are only unique per client.
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=100)
    # What was asked (API: method, path and body hashed): a key reused for another request is refused.
    fingerprint = models.CharField(max_length=64)
    # The first outcome: where the form led, or the API response.
    redirect_to = models.CharField(max_length=500, blank=True, default="")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_submission_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
