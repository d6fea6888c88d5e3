import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.bank import dump_bank
from maturity.models import Questionnaire, QuestionnaireVersion


class Command(BaseCommand):
    help = "Write a questionnaire version in the bank file format (default: the published one)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--questionnaire", help="Questionnaire slug (needed if there are several)."
        )
        parser.add_argument(
            "--number", type=int, help="Version number (default: the published one)."
        )

    def handle(self, *args, output, questionnaire, number, **options):
        version = self._version(questionnaire, number)
        text = dump_bank(version.as_bank())
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        # Write beside the target and rename, so a failure never leaves half a file.
        temp = None
        try:
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temp, path)
        except OSError as error:
            if temp and os.path.exists(temp):
                os.unlink(temp)
            raise CommandError(
                f"{output}: cannot be written ({error.strerror or error})"
            ) from error
        self.stderr.write(f"Wrote {version} to {output}.")

    def _version(self, slug, number):
        questionnaires = Questionnaire.objects.all()
        if slug:
            questionnaires = questionnaires.filter(slug=slug)
        found = list(questionnaires[:2])
        if not found:
            raise CommandError(f"No questionnaire {slug!r}." if slug else "No questionnaire yet.")
        if len(found) > 1:
            raise CommandError("Several questionnaires: choose one with --questionnaire.")
        versions = found[0].versions.all()
        if number is not None:
            version = versions.filter(number=number).first()
            if version is None:
                raise CommandError(f"{found[0]} has no version {number}.")
            return version
        version = versions.filter(status=QuestionnaireVersion.Status.PUBLISHED).first()
        if version is None:
            raise CommandError(f"{found[0]} has no published version: choose one with --number.")
        return version
