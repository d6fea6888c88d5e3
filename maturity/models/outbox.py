"""The outbox: e-mails waiting for the worker, and what became of them."""

from django.db import models
from django.utils import timezone


class Email(models.Model):
    """One message in the outbox, sent by the worker (`maturity.mail`).

    The body is emptied once the message is sent or given up: it may hold a set-password link.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # The same in every copy: receiving services that see a message twice can drop the repeat.
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The latest delivery task.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_idx")]

    def __str__(self):
        return f"{self.subject} ({self.to})"
