"""Demo data: who the demo organisations are, and how their staff answer.

`python manage.py seed_demo` makes the organisations, their rounds and their responses from
these tables. Each respondent's answers come from a latent level shaped by their
organisation, the round, the theme and their role group, drawn from a random generator seeded
per organisation and round, so every run gives the same answers.
"""

import secrets
from dataclasses import dataclass

from assessments.models import Answer, Organisation, Response
from assessments.responses import AnswerInput
from maturity.versioning import version_content

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
    """The published version's themes and each question's option ids by level."""

    def __init__(self, version):
        self.version = version
        self.themes = version_content(version).themes
        self.options = {
            question.pk: {option.level: option.pk for option in question.options.all()}
            for theme in self.themes
            for question in theme.questions.all()
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


def address(role, demo):
    """A demo account's address, under the reserved .example domain."""
    return f"{role}@{demo.domain}.example"


# The printed lead's organisation's plan, in days from today (negative: in the past), so that
# the baseline round (closed about 168 days ago) falls between targets set and moved.
# Targets: theme, level, due in, set days ago (a theme twice: its target moved).
TARGETS = [
    ("fused-technology", 3, 240, 200),
    ("digital-leadership", 4, 300, 200),
    ("data-and-platforms", 3, 180, 200),
    ("data-and-platforms", 4, 360, 60),
    ("staff-digital-experience", 3, 200, 30),
]
INTRANET = "https://intranet.northshire.example/"
# Views: theme, level, evidence, link, agreed days ago, review in (negative: out of date).
LEADERSHIP_VIEWS = [
    ("digital-leadership", 5, "The CDO sits on the leadership team.", f"{INTRANET}clt", 40, 140),
    ("fused-technology", 3, "Three service teams have a developer.", "", 300, -120),
    ("user-centred-services", 3, "", "", 20, 160),
    ("data-and-platforms", 2, "Internal audit's data review.", f"{INTRANET}audit/data", 60, 120),
]
# Actions: theme, title, owner, status, due in, done days ago; the first is from the bank's
# recommendation for the theme at ACTION_FROM_LEVEL, where the demo organisation scores it.
ACTION_FROM_LEVEL = 3
ACTIONS = [
    ("digital-leadership", "A digital objective for each director", "CEO", "planned", 90, 0),
    ("data-and-platforms", "Appoint a chief data officer", "Resources", "planned", 150, 0),
    (
        "fused-technology",
        "Web team into customer services",
        "Head of Digital",
        "in_progress",
        45,
        0,
    ),
    ("staff-digital-experience", "Replace laptops over 5 years old", "IT", "in_progress", -14, 0),
    ("user-centred-services", "Research before each new form", "Head of Digital", "done", -60, 70),
    ("startup-mindset", "A one-page case for small changes", "Programme office", "done", -90, 110),
    ("build-versus-buy", "A cloud-first technology strategy", "CTO", "dropped", 30, 0),
]
