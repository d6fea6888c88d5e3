from django.core.management.base import BaseCommand

from maturity.mail import requeue_email


class Command(BaseCommand):
    help = (
        "Queue a delivery for every unsent email whose task was lost (its worker died). "
        "Run it before starting workers, and every few minutes from cron."
    )

    def handle(self, *args, **options):
        count = requeue_email()
        if options["verbosity"]:
            self.stdout.write(f"Queued {count} email{'s' if count != 1 else ''} again.")
