import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Organisation, Round
from maturity.models import Questionnaire

DEMO_ORGANISATION = "Northshire County Council"
DEMO_ROUND = "Digital maturity assessment (demo)"
QUESTIONNAIRE = "digital-maturity"


class Command(BaseCommand):
    help = (
        "Create a demo organisation with an open round, and print the round's open link. "
        "Running it again creates nothing new and prints the same link."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL or "http://127.0.0.1:8000",
            help="Site address used in the printed link (default: SITE_URL or %(default)s).",
        )

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        questionnaire = Questionnaire.objects.filter(slug=QUESTIONNAIRE).first()
        version = questionnaire.current_version() if questionnaire else None
        if version is None:
            raise CommandError(
                "There is no published question bank. Load it first: "
                "python manage.py load_question_bank"
            )
        organisation, _ = Organisation.objects.get_or_create(
            name=DEMO_ORGANISATION,
            defaults={
                "function": Organisation.Function.GENERAL_PUBLIC_SERVICES,
                "size_band": Organisation.SizeBand.UNDER_5000,
                "region": Organisation.Region.NORTH_WEST,
            },
        )
        round = organisation.rounds.filter(title=DEMO_ROUND).first()
        if round is None:
            today = timezone.localdate()
            round = Round.objects.create(
                organisation=organisation,
                questionnaire_version=version,
                title=DEMO_ROUND,
                opens_on=today,
                # Far enough ahead that a demo set up today still works next year.
                closes_on=today + datetime.timedelta(days=730),
            )
            round.open()
            self.stdout.write(self.style.SUCCESS(f"Created {organisation} with an open round."))
        link = base_url.rstrip("/") + reverse("assessments:open_link", args=[round.open_token])
        self.stdout.write(f"Open survey link: {link}")
