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
4. Display: one rounding rule, halves up (towards the higher number, negatives too:
   `round_half_up`); scores in whole points (`whole_points`); margins of error alone are
   rounded up, to at least 1 (`margin_points`), so none is understated. A score's named level is the
   band its whole-point score falls in, each a fifth of the scale (`level_of`): 0-19 level 1,
   20-39 level 2, 40-59 level 3, 60-79 level 4, 80-100 level 5. A figure worked out from
   shown figures (a change, a gap, a range) is worked out from them as shown.
5. Perception gap: theme summaries by group (role group or unit), only for groups the
   round's snapshots count in cells of at least k (`assessments.anonymity`).
6. Margins and change (`assessments.margins`): every mean has a 95% margin of error; a change
   against the comparison round is called up or down only when its interval excludes zero.
   Peer benchmark: median and quartiles over at least 5 other organisations. Priorities:
   weight x (100 - mean), largest first.

Worked example (tests/assessments/test_scoring.py checks every number). A theme "data" has
four questions: data-strategy (weight 2) answered level 4, data-quality (weight 1) level 2,
data-sharing (weight 1) "Don't know", data-ethics (weight 1) "Not applicable".

    applicable weight = 5 - 1 (N/A) = 4; answered weight = 2 + 1 = 3; 3 / 4 = 75% >= 60%
    score = (2 x 75 + 1 x 25) / 3 = 175 / 3 = 58.33 -> shown as 58
    (in integers: points = 2 x 3 + 1 x 1 = 7; 25 x 7 / 3 = 58.33)
    58 is in 40-59: level 3

Had data-quality also been "Don't know", answered weight 2 / 4 = 50% < 60%: not enough answers.
If four respondents score 58.33, 25, 75 and 100 and a fifth has not enough answers, the theme
mean is 64.58 (n = 4, 1 not scored), SD 31.46, Q1 50, median 66.67, Q3 81.25, IQR 31.25: no
disagreement flag.
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from functools import cached_property

from maturity.bank import LEVELS

LEVEL = "level"
NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
UNANSWERED = ""
KINDS = (UNANSWERED, LEVEL, NOT_APPLICABLE, DONT_KNOW)

# Coverage needed for a theme score, as a fraction so the comparison at exactly 60% is exact.
COVERAGE_NUMERATOR, COVERAGE_DENOMINATOR = 3, 5
# Each named level covers a fifth of the 0-100 scale (`level_of`).
LEVEL_BAND = 100 // len(LEVELS)


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
    group: str | None  # the respondent's group; None when counted in the overall figures only
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


def round_half_up(value: float, places: int = 0) -> Decimal:
    """`value` to `places` decimals, halves towards the higher number: 62.5 -> 63 and -7.5 ->
    -7. Worked in decimal, from the shortest repr, so that 0.125 is 0.13 and not 0.12."""
    exact = Decimal(repr(value))
    # ROUND_HALF_UP sends ties away from zero; below zero, towards zero is towards higher.
    rounding = ROUND_HALF_UP if exact >= 0 else ROUND_HALF_DOWN
    return exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def whole_points(value: float) -> int:
    """A score or change as shown: whole points, halves up (62.5 -> 63)."""
    return int(round_half_up(value))


def margin_points(value: float) -> int:
    """A margin of error as shown: whole points rounded up, and at least 1, so that a printed
    margin never understates the uncertainty and a change of at most its margin as computed is
    at most its margin as printed ("no clear change (+5, ±5)", never "(+5, ±4)")."""
    return max(1, math.ceil(round_half_up(value, 6)))


def response_rate(*, issued: int, submitted: int) -> int | None:
    """Submitted personal links as a share of those issued, in whole percent (halves up); None
    when no personal link was issued. Responses through the open link are not part of it: no
    one knows how many people saw that link."""
    return whole_points(100 * submitted / issued) if issued else None


def level_of(score: float) -> int:
    """The named level of a score: the fifth of the scale its whole-point score falls in."""
    return min(len(LEVELS), whole_points(score) // LEVEL_BAND + 1)


def level_band(level: int) -> tuple[int, int]:
    """The whole-point scores named `level`: (0, 19) for level 1 ... (80, 100) for level 5."""
    low = LEVEL_BAND * (level - 1)
    return low, 100 if level == len(LEVELS) else low + LEVEL_BAND - 1
