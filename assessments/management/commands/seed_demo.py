"""Demo data: organisations with a closed and an open round of realistic answers.

Everything goes through the functions real use goes through (Round.open and close,
issue_personal_links, start_response, save_role_group, save_answers, submit_response), so
the demo shows what the service really does with such answers. Answers are drawn from a
seeded random generator per organisation and round, so every run makes the same ones.

Running it again creates nothing: each organisation is made in one transaction and skipped
once it exists. Only the passwords of the accounts it prints are set again, to new random
values, so that no password is ever stored in the repository.
"""

import datetime
import random
import secrets
import time
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from assessments.figures import refresh_round_figures
from assessments.models import Answer, Membership, Organisation, Response, Round
from assessments.survey import (
    AnswerInput,
    issue_personal_links,
    save_answers,
    save_role_group,
    start_personal_response,
    start_response,
    submit_response,
)
from maturity.models import Questionnaire, User

QUESTIONNAIRE = "digital-maturity"
EARLIER_ROUND = "Baseline assessment"
CURRENT_ROUND = "Six-month follow-up"
# The earlier round ran about six months before the current one, for four weeks.
EARLIER_OPENED_DAYS_AGO = 196
EARLIER_LENGTH_DAYS = 28
CURRENT_OPENED_DAYS_AGO = 14
# Far enough ahead that a demo database stays usable for months.
CURRENT_CLOSES_IN_DAYS = 182

PUBLIC = Organisation.Function.GENERAL_PUBLIC_SERVICES
HEALTH = Organisation.Function.HEALTH
EDUCATION = Organisation.Function.EDUCATION
S = Organisation.SizeBand
R = Organisation.Region
G = Response.RoleGroup


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    domain: str  # for the demo accounts' addresses, under the reserved .example domain
    function: str
    size_band: str
    region: str
    # Typical answer level (1 to 5) in the earlier round, and the gain by the current one.
    maturity: float
    improvement: float


# The first is the printed lead's organisation; six more share its function so that its
# report has a peer benchmark (which needs five other organisations with a closed round).
ORGANISATIONS = [
    DemoOrganisation(
        "Northshire County Council", "northshire", PUBLIC, S.UNDER_5000, R.NORTH_WEST, 2.8, 0.35
    ),
    DemoOrganisation(
        "Eastmoor District Council", "eastmoor", PUBLIC, S.UNDER_1000, R.EAST, 2.4, 0.2
    ),
    DemoOrganisation(
        "Riverside Borough Council", "riverside", PUBLIC, S.UNDER_5000, R.LONDON, 3.3, 0.25
    ),
    DemoOrganisation(
        "Westvale Metropolitan Borough Council",
        "westvale",
        PUBLIC,
        S.UNDER_20000,
        R.YORKSHIRE,
        2.7,
        0.15,
    ),
    DemoOrganisation(
        "Southdown District Council", "southdown", PUBLIC, S.UNDER_1000, R.SOUTH_EAST, 2.2, 0.3
    ),
    DemoOrganisation(
        "Highfield City Council", "highfield", PUBLIC, S.UNDER_20000, R.WEST_MIDLANDS, 3.5, 0.1
    ),
    DemoOrganisation(
        "Cardale County Borough Council", "cardale", PUBLIC, S.UNDER_5000, R.WALES, 2.6, 0.2
    ),
    DemoOrganisation(
        "Northshire Community Health NHS Trust",
        "northshire-health",
        HEALTH,
        S.UNDER_20000,
        R.NORTH_WEST,
        2.9,
        0.2,
    ),
    DemoOrganisation(
        "Eastmoor and Fenland Integrated Care Board",
        "eastmoor-icb",
        HEALTH,
        S.UNDER_1000,
        R.EAST,
        3.1,
        0.25,
    ),
    DemoOrganisation(
        "Riverside Mental Health NHS Trust",
        "riverside-mh",
        HEALTH,
        S.UNDER_5000,
        R.LONDON,
        2.5,
        0.3,
    ),
    DemoOrganisation(
        "Coastal Ambulance Service NHS Trust",
        "coastal-ambulance",
        HEALTH,
        S.UNDER_5000,
        R.SOUTH_WEST,
        2.7,
        0.15,
    ),
    DemoOrganisation(
        "Northshire College", "northshire-college", EDUCATION, S.UNDER_1000, R.NORTH_WEST, 2.6, 0.3
    ),
    DemoOrganisation(
        "University of Westvale",
        "westvale-university",
        EDUCATION,
        S.UNDER_5000,
        R.YORKSHIRE,
        3.4,
        0.2,
    ),
    DemoOrganisation(
        "Highfield Academies Trust",
        "highfield-academies",
        EDUCATION,
        S.UNDER_1000,
        R.WEST_MIDLANDS,
        2.3,
        0.35,
    ),
]
# The other organisation's lead printed for trying isolation: same function, so each is in
# the other's peer benchmark, yet neither can open the other's rounds.
OTHER_ORGANISATION = 1
# The printed lead also views this one, so they see the list of their organisations.
ALSO_VIEWS = 7

# How theme answers differ from an organisation's typical level.
THEME_OFFSETS = {
    "fused-technology": -0.3,
    "startup-mindset": -0.4,
    "digital-leadership": 0.0,
    "build-versus-buy": -0.1,
    "user-centred-services": 0.2,
    "data-and-platforms": -0.2,
    "skills-and-culture": 0.1,
    "adaptivity-and-resilience": 0.2,
    "staff-digital-experience": -0.1,
}
# How each role group sees things: digital staff see technology as part of the business far
# more than frontline staff do, frontline staff report the most lost time and stress with
# their tools, and leaders are the most optimistic about leadership.
GROUP_OFFSETS = {
    G.SENIOR_LEADERSHIP: {
        "digital-leadership": 0.6,
        "startup-mindset": 0.3,
        "staff-digital-experience": 0.3,
        "*": 0.2,
    },
    G.DIGITAL: {
        "fused-technology": 0.7,
        "data-and-platforms": 0.4,
        "build-versus-buy": 0.4,
        "skills-and-culture": 0.2,
        "staff-digital-experience": 0.5,
    },
    G.FRONTLINE: {
        "fused-technology": -0.6,
        "staff-digital-experience": -0.8,
        "digital-leadership": -0.3,
        "user-centred-services": 0.2,
        "*": -0.1,
    },
    G.CORPORATE: {"data-and-platforms": -0.2, "staff-digital-experience": -0.2},
    G.COMMERCIAL: {"build-versus-buy": 0.3, "startup-mindset": -0.2},
    G.OTHER: {},
}
# Share of each round's respondents by group: frontline staff are the most numerous, so the
# smaller groups often fall under the anonymity threshold, as in real rounds.
GROUP_SHARES = [
    (G.FRONTLINE, 0.34),
    (G.CORPORATE, 0.2),
    (G.DIGITAL, 0.16),
    (G.SENIOR_LEADERSHIP, 0.14),
    (G.OTHER, 0.09),
    (G.COMMERCIAL, 0.07),
]
# Themes where people outside digital and leadership roles often cannot say.
HARD_TO_KNOW = {"digital-leadership", "build-versus-buy", "data-and-platforms"}


def new_password():
    return secrets.token_urlsafe(12)


def role_groups(n):
    """`n` role groups in the shares above, largest remainders first; deterministic."""
    exact = [(group, n * share) for group, share in GROUP_SHARES]
    counts = {group: int(x) for group, x in exact}
    by_remainder = sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True)
    for group, _ in by_remainder[: n - sum(counts.values())]:
        counts[group] += 1
    return [group for group, count in counts.items() for _ in range(count)]


# What staff might write beside an answer: (for low levels, for high levels) by theme.
# About one answer in twenty-five carries one, so the report's "What staff said" has some.
COMMENTS = {
    "fused-technology": (
        [
            "IT only hears about changes once the decisions are made.",
            "We raise a ticket and wait. Nobody from IT comes to our team meetings.",
        ],
        ["Our service team has a developer and a data analyst sitting with us every day."],
    ),
    "startup-mindset": (
        [
            "Every change needs three boards to sign it off, so small fixes take months.",
            "Projects carry on even when everyone can see they are not working.",
        ],
        ["We try things with a few users first and drop what does not work."],
    ),
    "digital-leadership": (
        [
            "Digital comes up at the leadership team only when something has gone wrong.",
            "I could not tell you who is responsible for digital at the top.",
        ],
        ["Our chief digital officer is on the executive team and it shows in decisions."],
    ),
    "build-versus-buy": (
        [
            "We are tied to a supplier whose system nobody likes and cannot leave.",
            "We lost the only people who understood how our main system works.",
        ],
        ["We now own the code for our key services and can change them ourselves."],
    ),
    "user-centred-services": (
        [
            "Forms are designed around our processes, not around the people filling them in.",
            "We hardly ever speak to the people who use the service before changing it.",
        ],
        ["User research sessions are part of every change now, and it makes a difference."],
    ),
    "data-and-platforms": (
        [
            "The same customer details are held in four systems that never agree.",
            "Getting a simple report out of the data takes weeks.",
        ],
        ["Shared booking and payments platforms have saved us a lot of duplicate work."],
    ),
    "skills-and-culture": (
        [
            "There is no time set aside to learn anything new.",
            "People are worried about admitting a mistake.",
        ],
        ["Managers encourage us to learn and to say when something is not working."],
    ),
    "adaptivity-and-resilience": (
        [
            "When the system went down last winter nobody knew what to do.",
            "Funding only comes in one-off projects, so nothing is kept up to date.",
        ],
        ["After the last outage we reviewed it together and changed how we work."],
    ),
    "staff-digital-experience": (
        [
            "I type the same information into three different systems for every case.",
            "My laptop takes twenty minutes to start and the case system times out often.",
        ],
        ["The new case system fits how we actually work and saves me time every day."],
    ),
}
COMMENT_RATE = 0.04


class Bank:
    """The published version's themes and questions, read once."""

    def __init__(self, version):
        self.version = version
        self.themes = list(version.themes.prefetch_related("questions__options"))
        self.options = {
            question.pk: {option.level: option.pk for option in question.options.all()}
            for theme in self.themes
            for question in theme.questions.all()
        }
        # An answer's choice (an option id, as posted) -> its level.
        self.level_of = {
            str(pk): level for options in self.options.values() for level, pk in options.items()
        }


class Respondent:
    """One person's answers: their organisation, round and group shape a latent level."""

    def __init__(self, rng, *, organisation, round_gain, theme_bias, group):
        self.rng = rng
        self.group = group
        self.base = organisation.maturity + round_gain + rng.gauss(0, 0.35)
        self.theme_bias = theme_bias
        self.knows_less = group in (G.FRONTLINE, G.CORPORATE, G.OTHER)

    def answers(self, bank, theme):
        offsets = GROUP_OFFSETS[self.group]
        latent = (
            self.base
            + THEME_OFFSETS.get(theme.key, 0)
            + self.theme_bias[theme.key]
            + offsets.get(theme.key, offsets.get("*", 0))
        )
        dont_know = 0.12 if self.knows_less and theme.key in HARD_TO_KNOW else 0.03
        # People outside service delivery are more often unable to answer about services.
        not_applicable = 0.1 if self.group in (G.CORPORATE, G.COMMERCIAL) else 0.02
        answers = {}
        for question in theme.questions.all():
            draw = self.rng.random()
            if question.allow_not_applicable and draw < not_applicable:
                choice = Answer.Kind.NOT_APPLICABLE
            elif question.allow_dont_know and draw > 1 - dont_know:
                choice = Answer.Kind.DONT_KNOW
            else:
                level = min(5, max(1, round(latent + self.rng.gauss(0, 0.6))))
                choice = str(bank.options[question.pk][level])
            answers[question.pk] = AnswerInput(choice, self.comment(theme, choice, bank))
        return answers

    def comment(self, theme, choice, bank):
        low, high = COMMENTS.get(theme.key, ([], []))
        if self.rng.random() >= COMMENT_RATE:
            return ""
        levels = {
            str(pk): level for options in bank.options.values() for level, pk in options.items()
        }
        level = levels.get(choice)
        if level is None:
            return ""
        texts = low if level <= 2 else high if level >= 4 else []
        return self.rng.choice(texts) if texts else ""


class Command(BaseCommand):
    help = (
        "Create demo organisations, each with a closed and an open round of realistic "
        "answers, their leads and viewers, and print the links and logins to try. Running it "
        "again creates nothing and only sets new passwords for the printed accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL or "http://127.0.0.1:8000",
            help="Site address used in the printed link (default: SITE_URL or %(default)s).",
        )

    def handle(self, *args, base_url, **options):
        questionnaire = Questionnaire.objects.filter(slug=QUESTIONNAIRE).first()
        version = questionnaire.current_version() if questionnaire else None
        if version is None:
            raise CommandError(
                "There is no published question bank. Load it first: "
                "python manage.py load_question_bank"
            )
        started = time.monotonic()
        bank = Bank(version)
        made = Round.objects.filter(
            organisation__name__in=[demo.name for demo in ORGANISATIONS],
            title__in=[EARLIER_ROUND, CURRENT_ROUND],
        ).count()
        if made < 2 * len(ORGANISATIONS):
            self.stdout.write(
                "Adding demo organisations and their staff's answers: about half a minute the "
                "first time…"
            )
            self.stdout.flush()
        created = 0
        for index, demo in enumerate(ORGANISATIONS):
            # One transaction an organisation: far faster than one a write on SQLite, and an
            # interrupted run leaves whole organisations, which the next run completes.
            with transaction.atomic():
                created += self.ensure_organisation(demo, index, bank)
        logins = self.reset_logins()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {created} demo rounds with their organisations and responses in "
                    f"{time.monotonic() - started:.1f} seconds."
                )
            )
        else:
            self.stdout.write("The demo data is already in place: nothing new was created.")
        current = Round.objects.get(organisation__name=ORGANISATIONS[0].name, title=CURRENT_ROUND)
        link = base_url.rstrip("/") + reverse("assessments:open_link", args=[current.open_token])
        self.stdout.write(f"Open survey link: {link}")
        for label, (username, password) in logins.items():
            self.stdout.write(f"{label}: {username} / {password}")

    @staticmethod
    def address(role, demo):
        return f"{role}@{demo.domain}.example"

    def reset_logins(self):
        """New random passwords for the accounts printed, made if missing; lockouts lifted."""
        first, other = ORGANISATIONS[0], ORGANISATIONS[OTHER_ORGANISATION]
        accounts = {
            "Lead login": self.address("lead", first),
            "Other organisation lead login": self.address("lead", other),
            "Viewer login": self.address("viewer", first),
            "Admin login": "admin@demo.example",
        }
        logins = {}
        for label, username in accounts.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"email": username})
            password = new_password()
            user.set_password(password)
            if label == "Admin login":
                user.is_staff = user.is_superuser = True
            user.save()
            # Lift any sign-in lockout too, so running the command again always lets you in.
            AccessAttempt.objects.filter(username=username).delete()
            logins[label] = (username, password)
        return logins

    def member(self, username, organisation, role):
        user, created = User.objects.get_or_create(username=username, defaults={"email": username})
        if created:
            # Only the printed accounts get a password (reset_logins); the rest are there to
            # fill the admin's lists.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        return user

    def ensure_organisation(self, demo, index, bank):
        """The organisation, its members and its two rounds; returns how many rounds it made."""
        organisation, _ = Organisation.objects.get_or_create(
            name=demo.name,
            defaults={
                "function": demo.function,
                "size_band": demo.size_band,
                "region": demo.region,
            },
        )
        lead = self.member(self.address("lead", demo), organisation, Membership.Role.LEAD)
        self.member(self.address("viewer", demo), organisation, Membership.Role.VIEWER)
        if index == ALSO_VIEWS:
            self.member(
                self.address("lead", ORGANISATIONS[0]), organisation, Membership.Role.VIEWER
            )
        # Each organisation is stronger in some themes than others, in both rounds.
        rng = random.Random(demo.name)
        theme_bias = {theme.key: rng.gauss(0, 0.3) for theme in bank.themes}
        today = timezone.localdate()
        made = 0
        if not organisation.rounds.filter(title=EARLIER_ROUND).exists():
            rng = random.Random(f"{demo.name}/{EARLIER_ROUND}")
            tomorrow = today + datetime.timedelta(days=1)
            earlier = self.open_round(organisation, bank, lead, EARLIER_ROUND, today, tomorrow)
            self.answer_round(earlier, bank, demo, theme_bias, round_gain=0, rng=rng)
            earlier.close()
            refresh_round_figures(earlier)
            self.move_back(earlier, days=EARLIER_OPENED_DAYS_AGO, rng=rng)
            made += 1
        if not organisation.rounds.filter(title=CURRENT_ROUND).exists():
            rng = random.Random(f"{demo.name}/{CURRENT_ROUND}")
            closes_on = today + datetime.timedelta(days=CURRENT_CLOSES_IN_DAYS)
            current = self.open_round(organisation, bank, lead, CURRENT_ROUND, today, closes_on)
            self.answer_round(
                current, bank, demo, theme_bias, round_gain=demo.improvement, rng=rng, drafts=True
            )
            self.move_back(current, days=CURRENT_OPENED_DAYS_AGO, rng=rng, still_open=True)
            made += 1
        return made

    def open_round(self, organisation, bank, lead, title, opens_on, closes_on):
        round = Round.objects.create(
            organisation=organisation,
            questionnaire_version=bank.version,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=lead,
        )
        round.open()
        return round

    def answer_round(self, round, bank, demo, theme_bias, *, round_gain, rng, drafts=False):
        """30 to 40 submitted responses, most from personal links; a few drafts if asked."""
        links = issue_personal_links(round=round, count=rng.randint(40, 55))
        from_links = rng.randint(22, 26)
        submitted = from_links + rng.randint(8, 10)
        groups = role_groups(submitted)
        rng.shuffle(groups)
        for n, group in enumerate(groups):
            if n < from_links:
                response = links[n]
                start_personal_response(response=response)
            else:
                response = start_response(round=round)
            person = Respondent(
                rng, organisation=demo, round_gain=round_gain, theme_bias=theme_bias, group=group
            )
            save_role_group(response=response, role_group=group)
            for theme in bank.themes:
                save_answers(response=response, theme=theme, answers=person.answers(bank, theme))
            submit_response(response=response)
        if drafts:
            for n in range(rng.randint(2, 4)):
                group = rng.choice(GROUP_SHARES)[0]
                if n % 2:
                    response = links[from_links + n]
                    start_personal_response(response=response)
                else:
                    response = start_response(round=round)
                person = Respondent(
                    rng,
                    organisation=demo,
                    round_gain=round_gain,
                    theme_bias=theme_bias,
                    group=group,
                )
                save_role_group(response=response, role_group=group)
                for theme in bank.themes[: rng.randint(1, 4)]:
                    save_answers(
                        response=response, theme=theme, answers=person.answers(bank, theme)
                    )

    def move_back(self, round, *, days, rng, still_open=False):
        """Date the round `days` ago, as if it had run then.

        The domain functions answer only rounds open today, so each round is made, answered
        (and the earlier one closed) today, then moved back here with queryset updates: the
        round's dates and timestamps, and its responses' and answers', spread over the time it
        was open. Nothing else depends on these dates.
        """
        now = timezone.now()
        opened = now - datetime.timedelta(days=days)
        if still_open:
            closes_on = round.closes_on
            ended = now
        else:
            closes_on = timezone.localdate(opened) + datetime.timedelta(days=EARLIER_LENGTH_DAYS)
            ended = opened + datetime.timedelta(days=EARLIER_LENGTH_DAYS)
        Round.objects.filter(pk=round.pk).update(
            opens_on=timezone.localdate(opened),
            closes_on=closes_on,
            created_at=opened - datetime.timedelta(days=3),
            opened_at=opened,
            **({} if still_open else {"closed_at": ended}),
        )
        span = (ended - opened).total_seconds()
        responses = list(round.responses.all())
        for response in responses:
            response.created_at = opened
            if response.started_at:
                # Most people answer in the first days after the invitation.
                started = opened + datetime.timedelta(seconds=span * rng.random() ** 2)
                response.started_at = started
                # Never after the round ended, nor in the future.
                finished = min(ended, started + datetime.timedelta(minutes=rng.randint(12, 40)))
                response.last_saved_at = finished
                if response.submitted_at:
                    response.submitted_at = finished
        Response.objects.bulk_update(
            responses, ["created_at", "started_at", "last_saved_at", "submitted_at"], batch_size=500
        )
        Answer.objects.filter(response__round=round).update(
            saved_at=Subquery(
                Response.objects.filter(pk=OuterRef("response_id")).values("last_saved_at")[:1]
            )
        )
