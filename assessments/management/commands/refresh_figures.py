from django.core.management.base import BaseCommand

from assessments.figures import refresh_stale_figures
from assessments.models import Round


class Command(BaseCommand):
    help = (
        "Compute and cache the figures of closed rounds (closed by a lead or past their "
        "closing date) whose cached figures are missing or out of date. Run it daily."
    )

    def handle(self, *args, **options):
        count = refresh_stale_figures(Round.objects.closed())
        self.stdout.write(f"Refreshed the figures of {count} closed round(s).")
