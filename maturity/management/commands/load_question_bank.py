from django.core.management.base import BaseCommand, CommandError

from maturity.bank import DEFAULT_BANK, BankError, read_bank_file
from maturity.versioning import load_bank


class Command(BaseCommand):
    help = (
        "Load a question bank file. A file equal to an existing version changes nothing; "
        "a changed file becomes a new version, never an edit of a published one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(DEFAULT_BANK),
            help="YAML bank file (default: %(default)s)",
        )
        parser.add_argument(
            "--draft", action="store_true", help="Leave a new version as a draft to review."
        )

    def handle(self, *args, file, draft, **options):
        try:
            data = read_bank_file(file)
        except BankError as error:
            raise CommandError(str(error)) from error
        version, created = load_bank(data, publish=not draft)
        themes = len(data["themes"])
        questions = sum(len(theme["questions"]) for theme in data["themes"])
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {file} as {version} ({version.get_status_display().lower()}): "
                    f"{themes} themes, {questions} questions."
                )
            )
        else:
            self.stdout.write(
                f"No change: {file} matches {version} ({version.get_status_display().lower()})."
            )
