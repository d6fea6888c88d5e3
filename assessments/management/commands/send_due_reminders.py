from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.outreach import requeue_invitations
from assessments.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send the staff reminders whose day has come, and queue again any invitation e-mails "
        "whose task was lost; the worker sends them. Run it from cron every hour: each person "
        "gets at most one reminder a day whatever the schedule."
    )

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            # The e-mails carry links back to the site, and there is no request to ask.
            raise CommandError("Set SITE_URL to the site's address: the e-mails link to it.")
        requeued = requeue_invitations(base_url=settings.SITE_URL)
        reminded = send_due_reminders(base_url=settings.SITE_URL)
        if options["verbosity"]:
            people = "person" if reminded == 1 else "people"
            self.stdout.write(f"Reminded {reminded} {people}; queued {requeued} invitations again.")
