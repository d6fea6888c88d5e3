from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.outreach import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send the staff reminders whose day has come (queued for the worker). Run it from "
        "cron, every hour: each person gets at most one reminder a day whatever the schedule."
    )

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            # The reminders carry links back to the site, and there is no request to ask.
            raise CommandError("Set SITE_URL to the site's address: the reminders link to it.")
        reminded = send_due_reminders(base_url=settings.SITE_URL)
        if options["verbosity"]:
            self.stdout.write(f"Reminded {reminded} {'person' if reminded == 1 else 'people'}.")
