"""A round's figures from many responses: per question, per theme, per role group. Pure.

The rules are those of `assessments.scoring` (its docstring states the method, with a worked
example): question means and counts, theme means of respondent theme scores with their
spread, role groups hidden by `group_visibility`, priorities and strengths. Both paths end in
`figures_from_sums`: `round_figures` below from each response's answers, and the SQL
aggregates in `assessments.figures`. Round figures are stored (`Snapshot`), so they, and
only they, turn into plain dicts and back.
"""

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Self

from assessments import anonymity, margins
from assessments.scoring import (
    DONT_KNOW,
    NOT_APPLICABLE,
    ResponseAnswers,
    ThemeSpec,
    ThemeSums,
    answers_by_question,
    theme_score_from_sums,
    theme_sums,
)

DISAGREEMENT_IQR = 50

# Stored with snapshots: figures written by another shape of these classes are recomputed.
FORMAT = 2


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
    se: float | None  # standard error of the mean (assessments.margins)

    @property
    def estimate(self) -> margins.Estimate:
        return margins.Estimate(self.mean, self.se, self.n, self.n - 1)

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
    sd = _sample_sd(ordered) if spread else None
    return ThemeSummary(
        theme=theme,
        n=len(ordered),
        not_scored=responses - len(ordered),
        mean=statistics.fmean(ordered) if ordered else None,
        sd=sd,
        q1=q1,
        median=median if spread else (ordered[0] if ordered else None),
        q3=q3,
        se=margins.standard_error(sd, len(ordered)),
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
    """One group's theme summaries (a role group or a unit, by the round's breakdown); a hidden
    group carries its reason and nothing else."""

    group: str
    hidden: str = ""  # why, in assessments.anonymity's words; "" when shown
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
    # The overall score's standard error, from the covariance of respondents' theme scores
    # (`overall_standard_error`), and how many respondents have any theme score.
    overall_se: float | None = None
    overall_n: int = 0
    # The responses counted in the overall figures only (in no group's), with their theme
    # summaries: a cell of at least k, which is the round minus its groups anyway.
    overall_only: int = 0
    overall_only_themes: tuple[ThemeSummary, ...] = ()

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
    def overall_estimate(self) -> margins.Estimate:
        return margins.Estimate(self.overall, self.overall_se, self.overall_n, self.overall_n - 1)

    @property
    def weakest_theme(self) -> ThemeFigures | None:
        return min(self.scored_themes, key=lambda t: t.mean or 0.0, default=None)

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
            **{
                **{key: value for key, value in data.items() if key != "format"},
                "themes": tuple(ThemeFigures.from_dict(t) for t in data["themes"]),
                "groups": tuple(GroupFigures.from_dict(g) for g in data["groups"]),
                "overall_only_themes": tuple(
                    ThemeSummary.from_dict(t) for t in data["overall_only_themes"]
                ),
            }
        )


def figures_from_sums(
    themes: Sequence[ThemeSpec],
    *,
    k: int,
    group_counts: Mapping[str | None, int],
    question_figures: Mapping[str, QuestionFigures],
    response_sums: Iterable[tuple[object, str | None, ThemeSums]],
) -> RoundFigures:
    """A round's figures from per-question counts and per-(response, theme) sums.

    Both paths end here: `round_figures` below, and the SQL aggregates in
    assessments.figures. `group_counts` counts the responses by group, None for those counted
    overall only, and `response_sums` gives each response (any key), its group and its sums
    in a theme.
    """
    responses = sum(group_counts.values())
    if responses < k:
        return RoundFigures(responses=responses, anonymity_threshold=k)
    by_key = {theme.key: theme for theme in themes}
    scores: dict[str, list[float]] = defaultdict(list)
    group_scores: dict[tuple[str | None, str], list[float]] = defaultdict(list)
    by_response: dict[object, dict[str, float]] = defaultdict(dict)
    for response, group, sums in response_sums:
        theme = by_key.get(sums.theme)
        score = theme_score_from_sums(theme, sums).score if theme else None
        if score is not None:
            scores[sums.theme].append(score)
            group_scores[group, sums.theme].append(score)
            by_response[response][sums.theme] = score
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
        for group, reason in anonymity.group_visibility(group_counts, k).items()
    )
    return RoundFigures(
        responses=responses,
        anonymity_threshold=k,
        themes=theme_figures,
        groups=groups,
        overall_se=margins.overall_standard_error(theme_figures, list(by_response.values())),
        overall_n=len(by_response),
        overall_only=group_counts.get(None, 0),
        overall_only_themes=tuple(
            summarise_theme(t.key, group_scores[None, t.key], group_counts[None]) for t in themes
        )
        if group_counts.get(None)
        else (),
    )


def _fields(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


def round_figures(
    themes: Sequence[ThemeSpec], responses: Sequence[ResponseAnswers], k: int
) -> RoundFigures:
    """A round's figures from each submitted response's answers (the pure path)."""
    counts: dict[str, Counter[str | int]] = defaultdict(Counter)
    sums: list[tuple[object, str | None, ThemeSums]] = []
    for index, response in enumerate(responses):
        for answer in answers_by_question(themes, response.answers).values():
            counts[answer.question][answer.level or answer.kind] += 1
        sums.extend(
            (index, response.group, s) for s in theme_sums(themes, response.answers).values()
        )
    question_figures = {
        key: QuestionFigures(
            key, tuple(c[level] for level in range(1, 6)), c[NOT_APPLICABLE], c[DONT_KNOW]
        )
        for key, c in counts.items()
    }
    return figures_from_sums(
        themes,
        k=k,
        group_counts=Counter(response.group for response in responses),
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
