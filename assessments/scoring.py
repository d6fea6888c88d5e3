"""How answers become scores, and scores become a round's figures. Pure: no Django here.

This module holds the method and a respondent's scores; `assessments.aggregates` a round's
figures from many responses, and `assessments.comparison` the trend and the peer benchmark.

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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from maturity.bank import LEVELS

LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
UNANSWERED = ""
KINDS = (UNANSWERED, LEVEL, NOT_APPLICABLE, DONT_KNOW)

# Coverage needed for a theme score, as a fraction so the comparison at exactly 60% is exact.
COVERAGE_NUMERATOR, COVERAGE_DENOMINATOR = 3, 5
EU_BANDS = ((25, "Basic"), (50, "Average"), (75, "Moderately advanced"), (100, "Advanced"))


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
        if self.level is not None and self.level not in LEVELS:
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


def answers_by_question(
    themes: Sequence[ThemeSpec], answers: Iterable[AnswerValue]
) -> dict[str, AnswerValue]:
    """The given answers to questions in `themes`, the last one winning, blanks dropped."""
    known = {question.key for theme in themes for question in theme.questions}
    return {a.question: a for a in answers if a.question in known and a.kind != UNANSWERED}


def theme_sums(themes: Sequence[ThemeSpec], answers: Iterable[AnswerValue]) -> dict[str, ThemeSums]:
    """The pure counterpart of the SQL GROUP BY (response, theme)."""
    given = answers_by_question(themes, answers)
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
