from django.core.management.base import BaseCommand

from assessments.figures import publish_final_snapshots, publish_snapshot
from assessments.models import Round


class Command(BaseCommand):
    help = (
        "Publish the final figures of rounds closed by passing their closing date, and any "
        "snapshot an open round is due. Run it every few minutes, or at least daily."
    )

    def handle(self, *args, **options):
        finals = publish_final_snapshots(Round.objects.all())
        # An open round whose last submissions came within SNAPSHOT_INTERVAL of a snapshot
        # gets its next one here, rather than waiting for another submission.
        for round in Round.objects.filter(status=Round.Status.OPEN).exclude(
            pk__in=Round.objects.closed()
        ):
            publish_snapshot(round)
        self.stdout.write(f"Published the final figures of {finals} closed round(s).")
