from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Organisation, Round
from maturity.bank import DEFAULT_BANK, load_bank, read_bank_file

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def link_lines(output):
    return [line for line in output.splitlines() if line.startswith("Open survey link: ")]


def test_seed_demo_creates_an_open_round_once_and_prints_the_same_link():
    load_bank(read_bank_file(DEFAULT_BANK))
    first = run("--base-url", "http://localhost:8000/")
    second = run("--base-url", "http://localhost:8000")
    assert link_lines(first) == link_lines(second)
    round = Round.objects.get()
    assert link_lines(first) == [f"Open survey link: http://localhost:8000/s/{round.open_token}/"]
    assert round.is_accepting_responses
    organisation = Organisation.objects.get()
    assert organisation.name == "Northshire County Council"
    assert (organisation.function, organisation.size_band, organisation.region) == ("01", "l", "nw")


def test_seed_demo_uses_site_url_by_default(settings):
    load_bank(read_bank_file(DEFAULT_BANK))
    settings.SITE_URL = "https://demo.example.gov.uk"
    assert link_lines(run())[0].startswith("Open survey link: https://demo.example.gov.uk/s/")


def test_seed_demo_needs_the_question_bank():
    with pytest.raises(CommandError, match="load_question_bank"):
        run()
