"""Comparisons: a round against the organisation's previous round (the trend), and against
other organisations like it (the peer benchmark). Pure.

Rounds are matched theme by theme key and question by concept key, whichever version of the
questionnaire each used. docs/methodology.md (sections 7 and 8) explains both for a CDO.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessments.aggregates import RoundFigures
from assessments.scoring import whole_points

TREND_THRESHOLD = 5
MIN_PEERS = 5

UP, DOWN, STEADY = "up", "down", "steady"

PEERS_FUNCTION_AND_SIZE = "function_and_size"
PEERS_FUNCTION = "function"


@dataclass(frozen=True)
class Change:
    """A mean this round against the previous one; None where either has no mean."""

    current: float | None
    previous: float | None

    @property
    def comparable(self) -> bool:
        return self.current is not None and self.previous is not None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> str | None:
        """UP or DOWN when the change shown (whole points) is 5 or more, else STEADY."""
        if self.delta is None:
            return None
        change = whole_points(self.delta)
        if change >= TREND_THRESHOLD:
            return UP
        return DOWN if change <= -TREND_THRESHOLD else STEADY


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
    themes: tuple[ThemeTrend, ...]
    questions: tuple[QuestionTrend, ...]

    @property
    def comparable(self) -> int:
        return sum(1 for question in self.questions if question.comparable)

    @property
    def summary(self) -> str:
        return f"{self.comparable} of {len(self.questions)} questions comparable"


def compare_rounds(current: RoundFigures, previous: RoundFigures) -> Trend | None:
    """Matches themes on key and questions on concept key, whichever version each round used.

    n is the current round's questions; a question is comparable when it has a mean in both.
    None when either round is under its anonymity threshold.
    """
    if current.suppressed or previous.suppressed:
        return None
    before = {q.question: q.mean for theme in previous.themes for q in theme.questions}
    questions = tuple(
        QuestionTrend(
            current=q.mean, previous=before.get(q.question), question=q.question, theme=theme.theme
        )
        for theme in current.themes
        for q in theme.questions
    )
    previous_means = {theme.theme: theme.mean for theme in previous.themes}
    themes = tuple(
        ThemeTrend(
            theme=theme.theme,
            current=theme.mean,
            previous=previous_means.get(theme.theme),
            comparable_questions=sum(
                1 for q in questions if q.theme == theme.theme and q.comparable
            ),
            questions=len(theme.questions),
        )
        for theme in current.themes
    )
    return Trend(themes=themes, questions=questions)


# Peer benchmark


@dataclass(frozen=True)
class PeerCandidate:
    """Another organisation's latest reportable round: its theme means by theme key."""

    organisation: int
    function: str
    size_band: str
    theme_means: Mapping[str, float]


@dataclass(frozen=True)
class PeerTheme:
    theme: str
    n: int  # organisations with a mean for this theme; figures are None when under 5
    median: float | None
    q1: float | None
    q3: float | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


@dataclass(frozen=True)
class PeerBenchmark:
    group: str  # PEERS_FUNCTION_AND_SIZE or PEERS_FUNCTION
    organisations: int
    themes: tuple[PeerTheme, ...]


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
