"""How answers become scores, and scores become a round's figures. Pure: no Django here.

The method (docs/methodology.md explains it for a Chief Digital Officer):

1. Question score = (level - 1) / 4 x 100, so levels 1-5 score 0, 25, 50, 75, 100.
   "Not applicable" and "Don't know" are left out of the mean, numerator and denominator;
   "Don't know" is counted as a knowledge gap. Unanswered questions count for nothing.
2. Respondent theme score = sum(weight x question score) / answered weight, over the questions
   answered with a level. It is shown only when answered weight >= 60% of the applicable weight
   (the theme's total question weight minus the weight answered "Not applicable"); otherwise
   it is None, "not enough answers". Kept in integers until the last step:
   score = 25 x points / answered weight, where points = sum(weight x (level - 1)).
3. A round's figures use submitted responses only, and only when there are at least k of them
   (the round's anonymity threshold); below k a round has its response count and nothing else.
   - question: mean of the question scores given, and the count at each level, N/A, don't know;
   - theme: mean of the respondent theme scores that are not None (n, and how many had not
     enough answers), sample standard deviation, quartiles by statistics.quantiles(method=
     "inclusive") (Excel's QUARTILE.INC), a disagreement flag when Q3 - Q1 >= 50 points, and
     the knowledge-gap share: don't-know answers / all answers (level, N/A, don't know);
   - overall: the unweighted mean of the theme means, always shown beside the weakest theme.
4. Display: scores to whole points, halves up (`whole_points`). Maturity level = 1 + 4 x score
   / 100 to one decimal, halves up; its name is that of the nearest whole level, halves up
   (2.5 is level 3). EU bands on the whole-point score: <= 25 Basic, <= 50 Average, <= 75
   Moderately advanced, above Advanced.
5. Perception gap: theme summaries by role group, with groups hidden by `group_visibility`.
6. Trend: per theme key and question concept key against a previous round; a change under 5
   whole points is "steady". Peer benchmark: median and quartiles over at least 5 other
   organisations. Priorities: weight x (100 - mean), largest first.

Worked example (tests/assessments/test_scoring.py checks every number). A theme "data" has
four questions: data-strategy (weight 2) answered level 4, data-quality (weight 1) level 2,
data-sharing (weight 1) "Don't know", data-ethics (weight 1) "Not applicable".

    applicable weight = 5 - 1 (N/A) = 4; answered weight = 2 + 1 = 3; 3 / 4 = 75% >= 60%
    score = (2 x 75 + 1 x 25) / 3 = 175 / 3 = 58.33 -> shown as 58
    (in integers: points = 2 x 3 + 1 x 1 = 7; 25 x 7 / 3 = 58.33)
    maturity level = 1 + 4 x 58.33 / 100 = 3.33 -> 3.3, named level 3; EU band Moderately advanced

Had data-quality also been "Don't know", answered weight 2 / 4 = 50% < 60%: not enough answers.
If four respondents score 58.33, 25, 75 and 100 and a fifth has not enough answers, the theme
mean is 64.58 (n = 4, 1 not scored), SD 31.46, Q1 50, median 66.67, Q3 81.25, IQR 31.25: no
disagreement flag.
"""

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, Self

LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
UNANSWERED = ""
KINDS = (UNANSWERED, LEVEL, NOT_APPLICABLE, DONT_KNOW)

# Coverage needed for a theme score, as a fraction so the comparison at exactly 60% is exact.
COVERAGE_NUMERATOR, COVERAGE_DENOMINATOR = 3, 5
DISAGREEMENT_IQR = 50
TREND_THRESHOLD = 5
MIN_PEERS = 5

UP, DOWN, STEADY = "up", "down", "steady"
EU_BANDS = ((25, "Basic"), (50, "Average"), (75, "Moderately advanced"), (100, "Advanced"))

# Why a role group's figures are hidden; "" means shown.
TOO_FEW = "too_few"
COMPLEMENTARY = "complementary"
NO_COMPARISON = "no_comparison"

PEERS_FUNCTION_AND_SIZE = "function_and_size"
PEERS_FUNCTION = "function"
PEER_GROUP_LABELS = {
    PEERS_FUNCTION_AND_SIZE: "organisations with the same government function and size band",
    PEERS_FUNCTION: "organisations with the same government function",
}

# Stored with cached figures: a cache written by another shape of these classes is recomputed.
FORMAT = 1


def _plain(value: Any) -> Any:
    """Dataclasses to dicts and tuples to lists, recursively: what json.dumps and JSONField take."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


class Serialisable:
    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self)
        return plain

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        # Missing or unknown keys raise TypeError: callers treat that as a cache miss.
        return cls(**data)


# Inputs


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    weight: int


@dataclass(frozen=True)
class ThemeSpec:
    key: str
    questions: tuple[QuestionSpec, ...]
    weight: int = 1

    @cached_property
    def total_weight(self) -> int:
        # Cached: a round's figures ask it once per (respondent, theme).
        return sum(question.weight for question in self.questions)


@dataclass(frozen=True)
class AnswerValue:
    question: str
    kind: str
    level: int | None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown answer kind {self.kind!r}")
        if (self.kind == LEVEL) != (self.level is not None):
            raise ValueError("a level is given exactly when the kind is 'level'")
        if self.level is not None and not 1 <= self.level <= 5:
            raise ValueError(f"level {self.level} is not 1 to 5")


@dataclass(frozen=True)
class ResponseAnswers:
    role_group: str
    answers: tuple[AnswerValue, ...]


@dataclass(frozen=True)
class ThemeSums:
    """One response's answers in one theme, in integers: the row the SQL path selects."""

    theme: str
    points: int = 0  # sum of weight x (level - 1)
    answered_weight: int = 0
    not_applicable_weight: int = 0
    not_applicable: int = 0
    dont_know: int = 0


# Respondent scores


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    score: float | None
    answered_weight: int
    applicable_weight: int
    dont_know: int
    not_applicable: int


def question_score(level: int) -> float:
    if not 1 <= level <= 5:
        raise ValueError(f"level {level} is not 1 to 5")
    return (level - 1) / 4 * 100


def theme_score_from_sums(theme: ThemeSpec, sums: ThemeSums) -> ThemeScore:
    applicable = theme.total_weight - sums.not_applicable_weight
    covered = (
        sums.answered_weight > 0
        and sums.answered_weight * COVERAGE_DENOMINATOR >= applicable * COVERAGE_NUMERATOR
    )
    return ThemeScore(
        theme=theme.key,
        # One division of exact integers, so both paths give the same float.
        score=25 * sums.points / sums.answered_weight if covered else None,
        answered_weight=sums.answered_weight,
        applicable_weight=applicable,
        dont_know=sums.dont_know,
        not_applicable=sums.not_applicable,
    )


def _answers_by_question(
    themes: Sequence[ThemeSpec], answers: Iterable[AnswerValue]
) -> dict[str, AnswerValue]:
    """The given answers to questions in `themes`, the last one winning, blanks dropped."""
    known = {question.key for theme in themes for question in theme.questions}
    return {a.question: a for a in answers if a.question in known and a.kind != UNANSWERED}


def theme_sums(themes: Sequence[ThemeSpec], answers: Iterable[AnswerValue]) -> dict[str, ThemeSums]:
    """The pure counterpart of the SQL GROUP BY (response, theme)."""
    given = _answers_by_question(themes, answers)
    result = {}
    for theme in themes:
        totals = Counter[str]()
        for question in theme.questions:
            answer = given.get(question.key)
            if answer is None:
                continue
            if answer.level is not None:
                totals["points"] += question.weight * (answer.level - 1)
                totals["answered_weight"] += question.weight
            elif answer.kind == NOT_APPLICABLE:
                totals["not_applicable_weight"] += question.weight
                totals["not_applicable"] += 1
            else:
                totals["dont_know"] += 1
        result[theme.key] = ThemeSums(theme=theme.key, **totals)
    return result


def respondent_scores(
    themes: Sequence[ThemeSpec], answers: Iterable[AnswerValue]
) -> dict[str, ThemeScore]:
    sums = theme_sums(themes, answers)
    return {theme.key: theme_score_from_sums(theme, sums[theme.key]) for theme in themes}


# Display


def whole_points(value: float) -> int:
    """A score or change as shown: whole points, halves away from zero (62.5 -> 63)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def maturity_level(score: float) -> float:
    """1 + 4 x score / 100 to one decimal, halves up, worked in decimal so 1.15 is 1.2."""
    level = 1 + Decimal(repr(score)) * 4 / 100
    return float(level.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def level_number(score: float) -> int:
    """The named level: the shown maturity level rounded to a whole level, halves up."""
    return int(Decimal(repr(maturity_level(score))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def eu_band(score: float) -> str:
    """The EU Digital Maturity Assessment band of the score as shown (whole points)."""
    shown = whole_points(score)
    return next(name for upper, name in EU_BANDS if shown <= upper)


# Round figures


@dataclass(frozen=True)
class QuestionFigures(Serialisable):
    question: str
    counts: tuple[int, ...]  # answers at levels 1 to 5
    not_applicable: int = 0
    dont_know: int = 0

    def __post_init__(self) -> None:
        if len(self.counts) != 5:
            raise ValueError("counts holds one number per level, 1 to 5")

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def answers(self) -> int:
        return self.answered + self.not_applicable + self.dont_know

    @property
    def mean(self) -> float | None:
        points = sum(index * count for index, count in enumerate(self.counts))
        return 25 * points / self.answered if self.answered else None

    @property
    def distribution(self) -> tuple[tuple[str, int], ...]:
        """Label and count for levels 1 to 5, N/A and don't know, in reading order."""
        levels = tuple((str(level), n) for level, n in enumerate(self.counts, start=1))
        return (*levels, (NOT_APPLICABLE, self.not_applicable), (DONT_KNOW, self.dont_know))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(**{**data, "counts": tuple(data["counts"])})


@dataclass(frozen=True)
class ThemeSummary(Serialisable):
    """The spread of respondent theme scores, for a round or one role group."""

    theme: str
    n: int  # respondents with a theme score
    not_scored: int  # respondents without enough answers in the theme
    mean: float | None
    sd: float | None  # sample standard deviation, needs n >= 2
    q1: float | None  # quartiles need n >= 2; the median of one score is that score
    median: float | None
    q3: float | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1

    @property
    def disagreement(self) -> bool:
        return self.iqr is not None and self.iqr >= DISAGREEMENT_IQR


def _sample_sd(values: Sequence[float]) -> float:
    """The sample standard deviation in floating point: statistics.stdev works in exact
    fractions, which costs a tenth of a second for a theme of 10,000 respondents."""
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1))


def summarise_theme(theme: str, scores: Sequence[float], responses: int) -> ThemeSummary:
    """Summarise the theme scores of `responses` respondents; `scores` leaves out the Nones."""
    ordered = sorted(scores)  # one order, whichever path the scores came by
    spread = len(ordered) >= 2
    q1, median, q3 = (
        statistics.quantiles(ordered, n=4, method="inclusive") if spread else (None, None, None)
    )
    return ThemeSummary(
        theme=theme,
        n=len(ordered),
        not_scored=responses - len(ordered),
        mean=statistics.fmean(ordered) if ordered else None,
        sd=_sample_sd(ordered) if spread else None,
        q1=q1,
        median=median if spread else (ordered[0] if ordered else None),
        q3=q3,
    )


@dataclass(frozen=True)
class ThemeFigures(ThemeSummary):
    weight: int
    questions: tuple[QuestionFigures, ...]

    @property
    def dont_know(self) -> int:
        return sum(question.dont_know for question in self.questions)

    @property
    def answers(self) -> int:
        return sum(question.answers for question in self.questions)

    @property
    def knowledge_gap(self) -> float | None:
        """Share of the theme's answers that were "Don't know", 0 to 1."""
        return self.dont_know / self.answers if self.answers else None

    def _scored_questions(self) -> list[tuple[float, QuestionFigures]]:
        return [(q.mean, q) for q in self.questions if q.mean is not None]

    @property
    def strongest_question(self) -> QuestionFigures | None:
        """Highest mean, first in bank order on a tie; None when no question stands out
        (fewer than two with a mean, or all the same)."""
        scored = self._scored_questions()
        if len({mean for mean, _ in scored}) < 2:
            return None
        return max(scored, key=lambda pair: pair[0])[1]

    @property
    def weakest_question(self) -> QuestionFigures | None:
        """Lowest mean, first in bank order on a tie; None when no question stands out."""
        scored = self._scored_questions()
        if len({mean for mean, _ in scored}) < 2:
            return None
        return min(scored, key=lambda pair: pair[0])[1]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        questions = tuple(QuestionFigures.from_dict(q) for q in data["questions"])
        return cls(**{**data, "questions": questions})


@dataclass(frozen=True)
class GroupFigures(Serialisable):
    """One role group's theme summaries; a hidden group carries its reason and nothing else."""

    role_group: str
    hidden: str = ""  # TOO_FEW, COMPLEMENTARY or NO_COMPARISON; "" when shown
    responses: int | None = None
    themes: tuple[ThemeSummary, ...] = ()

    def __post_init__(self) -> None:
        if self.hidden and (self.responses is not None or self.themes):
            raise ValueError("a hidden group carries no figures")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        themes = tuple(ThemeSummary.from_dict(t) for t in data["themes"])
        return cls(**{**data, "themes": themes})


@dataclass(frozen=True)
class RoundFigures(Serialisable):
    """A round's figures. Below k responses only the count exists: the constructor refuses more."""

    responses: int
    anonymity_threshold: int
    themes: tuple[ThemeFigures, ...] = ()
    groups: tuple[GroupFigures, ...] = ()

    def __post_init__(self) -> None:
        if self.suppressed and (self.themes or self.groups):
            raise ValueError("figures of a round under its anonymity threshold cannot exist")

    @property
    def suppressed(self) -> bool:
        return self.responses < self.anonymity_threshold

    @property
    def scored_themes(self) -> tuple[ThemeFigures, ...]:
        return tuple(theme for theme in self.themes if theme.mean is not None)

    @property
    def overall(self) -> float | None:
        means = [theme.mean for theme in self.scored_themes if theme.mean is not None]
        return statistics.fmean(means) if means else None

    @property
    def weakest_theme(self) -> ThemeFigures | None:
        return min(self.scored_themes, key=lambda t: t.mean or 0.0, default=None)

    @property
    def strongest_theme(self) -> ThemeFigures | None:
        return max(self.scored_themes, key=lambda t: t.mean or 0.0, default=None)

    @property
    def themes_by_key(self) -> dict[str, ThemeFigures]:
        return {theme.theme: theme for theme in self.themes}

    @property
    def visible_groups(self) -> tuple[GroupFigures, ...]:
        return tuple(group for group in self.groups if not group.hidden)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **super().to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        if data.get("format") != FORMAT:
            raise ValueError("figures stored in another format")
        return cls(
            responses=data["responses"],
            anonymity_threshold=data["anonymity_threshold"],
            themes=tuple(ThemeFigures.from_dict(t) for t in data["themes"]),
            groups=tuple(GroupFigures.from_dict(g) for g in data["groups"]),
        )


def group_visibility(counts: Mapping[str, int], k: int) -> dict[str, str]:
    """Which role groups may be shown: group -> "" if shown, else the reason it is hidden.

    A group under k responses is hidden. Then, while the hidden groups together hold fewer
    than k responses, the smallest shown group is hidden too (ties by key), so the hidden
    remainder, total minus shown groups, is never fewer than k people: this is the rule
    "when exactly one group is hidden, hide the next smallest", extended to several small
    groups. A perception gap needs two groups, so if fewer than two remain, all are hidden.
    Groups without responses are absent.
    """
    present = {group: n for group, n in counts.items() if n > 0}
    smallest_first = sorted(present, key=lambda group: (present[group], group))
    hidden = {group: TOO_FEW for group in smallest_first if present[group] < k}
    for group in smallest_first:
        if not hidden or sum(present[g] for g in hidden) >= k:
            break
        hidden.setdefault(group, COMPLEMENTARY)
    shown = [group for group in smallest_first if group not in hidden]
    if len(shown) < 2:
        hidden.update(dict.fromkeys(shown, NO_COMPARISON))
    return {group: hidden.get(group, "") for group in sorted(present)}


def figures_from_sums(
    themes: Sequence[ThemeSpec],
    *,
    k: int,
    group_counts: Mapping[str, int],
    question_figures: Mapping[str, QuestionFigures],
    response_sums: Iterable[tuple[str, ThemeSums]],
) -> RoundFigures:
    """A round's figures from per-question counts and per-(response, theme) sums.

    Both paths end here: `round_figures` below, and the SQL aggregates in
    assessments.figures. `group_counts` counts submitted responses by role group and
    `response_sums` pairs each response's role group with its sums in one theme.
    """
    responses = sum(group_counts.values())
    if responses < k:
        return RoundFigures(responses=responses, anonymity_threshold=k)
    by_key = {theme.key: theme for theme in themes}
    scores: dict[str, list[float]] = defaultdict(list)
    group_scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    for role_group, sums in response_sums:
        theme = by_key.get(sums.theme)
        score = theme_score_from_sums(theme, sums).score if theme else None
        if score is not None:
            scores[sums.theme].append(score)
            group_scores[role_group, sums.theme].append(score)
    theme_figures = tuple(
        ThemeFigures(
            **_fields(summarise_theme(theme.key, scores[theme.key], responses)),
            weight=theme.weight,
            questions=tuple(
                question_figures.get(q.key) or QuestionFigures(q.key, (0,) * 5)
                for q in theme.questions
            ),
        )
        for theme in themes
    )
    groups = tuple(
        GroupFigures(group, hidden=reason)
        if reason
        else GroupFigures(
            group,
            responses=group_counts[group],
            themes=tuple(
                summarise_theme(t.key, group_scores[group, t.key], group_counts[group])
                for t in themes
            ),
        )
        for group, reason in group_visibility(group_counts, k).items()
    )
    return RoundFigures(
        responses=responses, anonymity_threshold=k, themes=theme_figures, groups=groups
    )


def _fields(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


def round_figures(
    themes: Sequence[ThemeSpec], responses: Sequence[ResponseAnswers], k: int
) -> RoundFigures:
    """A round's figures from each submitted response's answers (the pure path)."""
    counts: dict[str, Counter[str | int]] = defaultdict(Counter)
    sums: list[tuple[str, ThemeSums]] = []
    for response in responses:
        for answer in _answers_by_question(themes, response.answers).values():
            counts[answer.question][answer.level or answer.kind] += 1
        sums.extend((response.role_group, s) for s in theme_sums(themes, response.answers).values())
    question_figures = {
        key: QuestionFigures(
            key, tuple(c[level] for level in range(1, 6)), c[NOT_APPLICABLE], c[DONT_KNOW]
        )
        for key, c in counts.items()
    }
    return figures_from_sums(
        themes,
        k=k,
        group_counts=Counter(response.role_group for response in responses),
        question_figures=question_figures,
        response_sums=sums,
    )


def priorities(figures: RoundFigures) -> tuple[ThemeFigures, ...]:
    """Themes to work on first: largest weight x (100 - mean), ties weakest first, then bank
    order. With equal weights this is simply weakest first."""
    return tuple(
        sorted(
            figures.scored_themes,
            key=lambda t: (-t.weight * (100 - (t.mean or 0.0)), t.mean or 0.0),
        )
    )


def strengths(figures: RoundFigures) -> tuple[ThemeFigures, ...]:
    """Themes strongest first, ties in bank order."""
    return tuple(sorted(figures.scored_themes, key=lambda t: -(t.mean or 0.0)))


# Trend


@dataclass(frozen=True)
class Change(Serialisable):
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
class Trend(Serialisable):
    themes: tuple[ThemeTrend, ...]
    questions: tuple[QuestionTrend, ...]

    @property
    def comparable(self) -> int:
        return sum(1 for question in self.questions if question.comparable)

    @property
    def summary(self) -> str:
        return f"{self.comparable} of {len(self.questions)} questions comparable"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            themes=tuple(ThemeTrend.from_dict(t) for t in data["themes"]),
            questions=tuple(QuestionTrend.from_dict(q) for q in data["questions"]),
        )


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
    group: str  # PEERS_FUNCTION_AND_SIZE or PEERS_FUNCTION
    organisations: int
    themes: tuple[PeerTheme, ...]

    @property
    def group_label(self) -> str:
        return PEER_GROUP_LABELS[self.group]

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
