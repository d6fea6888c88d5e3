from django.core.management.base import BaseCommand

from assessments.outreach import KEEP_ADDRESSES_DAYS, erase_addresses


class Command(BaseCommand):
    help = (
        "Erase the e-mail addresses of invited staff, and every e-mail sent to them, for "
        "rounds that have closed and whose staff summary was sent or declined, and for every "
        f"round closed more than {KEEP_ADDRESSES_DAYS} days ago. Run it daily from cron."
    )

    def handle(self, *args, **options):
        erased = erase_addresses()
        if options["verbosity"]:
            rounds = "round" if erased == 1 else "rounds"
            self.stdout.write(f"Erased the addresses of {erased} {rounds}.")
