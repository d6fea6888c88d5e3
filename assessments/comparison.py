"""Comparisons: a round against the organisation's previous round (the trend), and against
other organisations like it (the peer benchmark). Pure.

Rounds are matched theme by theme key and question by concept key, whichever version of the
questionnaire each used. docs/methodology.md (sections 7 and 8) explains both for a CDO.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Self

from assessments import margins
from assessments.aggregates import QuestionFigures, RoundFigures, Serialisable
from assessments.scoring import margin_points, whole_points

MIN_PEERS = 5

UP, DOWN, STEADY = "up", "down", "steady"

PEERS_FUNCTION_AND_SIZE = "function_and_size"
PEERS_FUNCTION = "function"


@dataclass(frozen=True)
class Change:
    """A mean this round against the comparison round's, with the change's 95% interval."""

    current: margins.Estimate
    previous: margins.Estimate

    @cached_property
    def interval(self) -> margins.ChangeInterval:
        return margins.ChangeInterval(self.current, self.previous)

    @property
    def comparable(self) -> bool:
        return self.current.mean is not None and self.previous.mean is not None

    @property
    def stated(self) -> bool:
        """Whether any change is stated: enough people on both sides (margins)."""
        return self.interval.stated

    @property
    def shown(self) -> int | None:
        """The change as shown: the difference of the two scores as shown, so that the table
        adds up as printed (34 beside 24 is +10)."""
        if self.current.mean is None or self.previous.mean is None:
            return None
        return whole_points(self.current.mean) - whole_points(self.previous.mean)

    @property
    def shown_margin(self) -> int | None:
        half = self.interval.margin
        return None if half is None else margin_points(half)

    @property
    def direction(self) -> str | None:
        """UP or DOWN when the interval excludes zero, both as computed and as printed (the
        shown change beyond its shown margin); STEADY ("no clear change") otherwise; None when
        no change is stated."""
        if not self.stated or self.shown is None or self.shown_margin is None:
            return None
        if self.interval.clear and abs(self.shown) > self.shown_margin:
            return UP if self.shown > 0 else DOWN
        return STEADY


@dataclass(frozen=True)
class QuestionTrend(Change):
    question: str
    theme: str


@dataclass(frozen=True)
class ThemeTrend(Change):
    theme: str
    comparable_questions: int
    questions: int


@dataclass(frozen=True)
class Trend:
    overall: Change
    themes: tuple[ThemeTrend, ...]
    questions: tuple[QuestionTrend, ...]

    @property
    def comparable(self) -> int:
        return sum(1 for question in self.questions if question.comparable)

    @property
    def summary(self) -> str:
        return f"{self.comparable} of {len(self.questions)} questions comparable"


def question_estimate(question: QuestionFigures | None) -> margins.Estimate:
    if question is None:
        return margins.Estimate(None, None, 0, 0)
    n = question.answered
    se = margins.standard_error(margins.level_sd(question.counts), n)
    return margins.Estimate(question.mean, se, n, n - 1)


def compare_rounds(current: RoundFigures, previous: RoundFigures) -> Trend | None:
    """Matches themes on key and questions on concept key, whichever version each round used.

    n is the current round's questions; a question is comparable when it has a mean in both.
    None when either round is under its anonymity threshold.
    """
    if current.suppressed or previous.suppressed:
        return None
    before = {q.question: q for theme in previous.themes for q in theme.questions}
    questions = tuple(
        QuestionTrend(
            current=question_estimate(q),
            previous=question_estimate(before.get(q.question)),
            question=q.question,
            theme=theme.theme,
        )
        for theme in current.themes
        for q in theme.questions
    )
    previous_themes = {theme.theme: theme for theme in previous.themes}
    none = margins.Estimate(None, None, 0, 0)
    themes = tuple(
        ThemeTrend(
            theme=theme.theme,
            current=theme.estimate,
            previous=previous_themes[theme.theme].estimate
            if theme.theme in previous_themes
            else none,
            comparable_questions=sum(
                1 for q in questions if q.theme == theme.theme and q.comparable
            ),
            questions=len(theme.questions),
        )
        for theme in current.themes
    )
    overall = Change(current.overall_estimate, previous.overall_estimate)
    return Trend(overall=overall, themes=themes, questions=questions)


# Peer benchmark


@dataclass(frozen=True)
class PeerCandidate:
    """Another organisation's latest reportable round: its theme means by theme key."""

    organisation: int
    function: str
    size_band: str
    theme_means: Mapping[str, float]


@dataclass(frozen=True)
class PeerTheme(Serialisable):
    theme: str
    n: int  # organisations with a mean for this theme; figures are None when under 5
    median: float | None
    q1: float | None
    q3: float | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


@dataclass(frozen=True)
class PeerBenchmark(Serialisable):
    """Stored with each snapshot: the peers as they were when it was made."""

    group: str  # PEERS_FUNCTION_AND_SIZE or PEERS_FUNCTION
    organisations: int
    themes: tuple[PeerTheme, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        themes = tuple(PeerTheme.from_dict(t) for t in data["themes"])
        return cls(**{**data, "themes": themes})


def choose_peer_group(
    candidates: Sequence[PeerCandidate], *, function: str, size_band: str
) -> tuple[str, tuple[PeerCandidate, ...]]:
    """Same function and size band when that gives at least 5 organisations, else same function."""
    same_function = tuple(c for c in candidates if c.function == function)
    same_size = tuple(c for c in same_function if c.size_band == size_band)
    if len(same_size) >= MIN_PEERS:
        return PEERS_FUNCTION_AND_SIZE, same_size
    return PEERS_FUNCTION, same_function


def benchmark(
    theme_keys: Sequence[str], peers: Sequence[Mapping[str, float]], group: str
) -> PeerBenchmark | None:
    """Median and quartiles of peers' theme means; None under 5 peers. Never a ranking: the
    result holds no organisation and no position."""
    if len(peers) < MIN_PEERS:
        return None
    themes = []
    for key in theme_keys:
        values = sorted(p[key] for p in peers if key in p)
        if len(values) < MIN_PEERS:
            themes.append(PeerTheme(key, len(values), None, None, None))
            continue
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        themes.append(PeerTheme(key, len(values), median, q1, q3))
    return PeerBenchmark(group=group, organisations=len(peers), themes=tuple(themes))
