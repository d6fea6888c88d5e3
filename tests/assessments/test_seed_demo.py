import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Avg, Count
from django.utils import timezone

from assessments import demo as seed_demo
from assessments.figures import peer_benchmark
from assessments.models import (
    Action,
    Answer,
    Membership,
    Organisation,
    Response,
    Round,
    Snapshot,
    Target,
)
from maturity.models import User
from maturity.versioning import load_bank
from tests.factories import default_bank

LINES = re.compile(
    r"^Open survey link: (?P<link>\S+)\n"
    r"Lead login: (?P<lead>\S+) / (?P<lead_password>\S+)\n"
    r"Other organisation lead login: (?P<other>\S+) / (?P<other_password>\S+)\n"
    r"Viewer login: (?P<viewer>\S+) / (?P<viewer_password>\S+)\n"
    r"Admin login: (?P<admin>\S+) / (?P<admin_password>\S+)\n",
    re.M,
)


def run(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed(output):
    match = LINES.search(output)
    assert match, output
    return match.groupdict()


@pytest.fixture
def bank(db):
    load_bank(default_bank())


@pytest.fixture
def organisations(monkeypatch):
    """Seed the first `n` demo organisations only: the whole set takes half a minute."""

    def keep(n):
        monkeypatch.setattr(seed_demo, "ORGANISATIONS", seed_demo.ORGANISATIONS[:n])

    return keep


def test_demo_covers_three_functions_with_peers_for_the_first_lead():
    demos = seed_demo.ORGANISATIONS
    functions = Counter(demo.function for demo in demos)
    first = demos[0]
    assert len(demos) >= 12
    assert len({demo.name for demo in demos}) == len(demos)
    assert len(functions) >= 3
    # A peer benchmark needs five other organisations of the same function.
    assert functions[first.function] - 1 >= 5
    assert demos[seed_demo.OTHER_ORGANISATION].function == first.function
    assert (first.name, first.function, first.size_band, first.region) == (
        "Northshire County Council",
        "01",
        "l",
        "nw",
    )


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Membership, User, Round, Response, Answer, Snapshot)
    }


def answers_of(round):
    return list(
        Answer.objects.filter(response__round=round)
        .order_by("response_id", "question_id")
        .values_list("response__role_group", "kind", "level")
    )


@pytest.mark.slow
def test_seed_demo_makes_realistic_rounds_and_a_plan_once_and_resets_only_passwords(
    settings, bank, organisations
):
    # As `make run` seeds: figures recomputed at most once a minute while a round is open,
    # rather than after each of the 400 submissions (the tests' default, SNAPSHOT_INTERVAL=0).
    settings.SNAPSHOT_INTERVAL = 60
    # Six organisations of one function: the first has the five peers a benchmark needs.
    organisations(6)

    first = run("--base-url", "http://localhost:8000/")
    logins = printed(first)
    created = counts()
    settings.SITE_URL = "https://demo.example.gov.uk"
    second = run()
    again = printed(second)

    assert counts() == created
    assert "nothing new was created" in second
    current = Round.objects.get(organisation__name="Northshire County Council", status="open")
    assert logins["link"] == f"http://localhost:8000/s/{current.open_token}/"
    assert again["link"] == f"https://demo.example.gov.uk/s/{current.open_token}/"
    assert current.is_accepting_responses

    # The printed accounts work with the new passwords only.
    for role in ("lead", "other", "viewer", "admin"):
        user = User.objects.get(username=again[role])
        assert user.check_password(again[f"{role}_password"])
        assert again[f"{role}_password"] != logins[f"{role}_password"]
    assert User.objects.get(username=again["admin"]).is_superuser
    lead = Membership.objects.get(user__username=again["lead"])
    other = Membership.objects.get(user__username=again["other"])
    assert (lead.role, other.role) == ("lead", "lead")
    assert lead.organisation != other.organisation
    assert Membership.objects.get(user__username=again["viewer"]).role == "viewer"

    today = timezone.localdate()
    for organisation in Organisation.objects.all():
        earlier, latest = organisation.rounds.order_by("opens_on")
        assert earlier.is_closed and not latest.is_closed
        assert 150 <= (today - earlier.closes_on).days <= 200
        assert earlier.closed_at < latest.opened_at
        assert Snapshot.objects.filter(round=earlier, final=True).exists()
        assert latest.responses.filter(submitted_at=None, started_at__isnull=False).exists()
        for round in (earlier, latest):
            submitted = round.responses.filter(submitted_at__isnull=False)
            assert submitted.count() == round.submitted_count >= 30
            assert submitted.values("role_group").distinct().count() == 6
            assert round.responses.filter(is_personal=True, submitted_at=None).exists()
            # Answered while the round was open (the dates were moved back afterwards).
            assert not submitted.exclude(
                submitted_at__date__range=(round.opens_on, round.closes_on)
            ).exists()

    answers = Answer.objects.filter(response__submitted_at__isnull=False)
    kinds = Counter(answers.values_list("kind", flat=True))
    assert kinds["dk"] > 0.02 * len(answers)
    assert kinds["na"] > 0

    def mean_level(**filters):
        return answers.filter(kind="level", **filters).aggregate(mean=Avg("level"))["mean"]

    fused = {"question__theme__key": "fused-technology"}
    assert mean_level(response__role_group="digital", **fused) > mean_level(
        response__role_group="frontline", **fused
    )
    experience = {"question__theme__key": "staff-digital-experience"}
    assert mean_level(response__role_group="frontline", **experience) < mean_level(**experience)
    assert mean_level(response__round__status="open") > mean_level(response__round__status="closed")
    # Organisations differ from one another.
    by_organisation = (
        answers.filter(kind="level")
        .values("response__round__organisation")
        .annotate(mean=Avg("level"), n=Count("pk"))
    )
    means = [row["mean"] for row in by_organisation]
    assert max(means) - min(means) > 0.4

    assert peer_benchmark(current) is not None

    # The first lead has a plan with every status and a stale leadership view, made once:
    # the second run added none of it again. (One seeding serves both: it is the slowest test.)
    organisation = current.organisation
    targets = Target.objects.latest_by_theme(organisation=organisation)
    assert len(targets) == len({key for key, *_ in seed_demo.TARGETS})
    assert organisation.targets.count() == len(seed_demo.TARGETS)  # one moved: two rows
    views = list(organisation.leadership_views.all())
    assert len(views) == len(seed_demo.LEADERSHIP_VIEWS)
    assert sum(view.is_stale() for view in views) == 1
    actions = organisation.actions.all()
    assert {action.status for action in actions} == set(Action.Status)
    assert actions.filter(recommendation__isnull=False).count() == 1
    assert all(a.completed_on for a in actions.filter(status=Action.Status.DONE))
    assert organisation.actions.count() == len(seed_demo.ACTIONS)

    # No password is in the repository, and the members not printed cannot sign in.
    source = Path(seed_demo.__file__).read_text()
    printed_users = [again[role] for role in ("lead", "other", "viewer", "admin")]
    assert not any(
        again[f"{role}_password"] in source for role in ("lead", "other", "viewer", "admin")
    )
    others = User.objects.exclude(username__in=printed_users)
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)

    # A round lost (say, to an interrupted run) comes back with the very same answers.
    last = Round.objects.get(organisation__name=seed_demo.ORGANISATIONS[5].name, status="open")
    before = answers_of(last)
    last.delete()
    run()
    assert answers_of(Round.objects.get(organisation=last.organisation, status="open")) == before
    assert counts() == created


def test_seed_demo_needs_the_question_bank(db):
    with pytest.raises(CommandError, match="load_question_bank"):
        run()
