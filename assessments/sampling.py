"""The short survey: who is asked which questions, how long a survey takes, and figures that
stay unbiased when each respondent answers only some questions. Pure.

A short round asks each respondent a balanced random part of every theme's questions
(planned missingness): each question goes to the respondents who have been asked it least
so far, ties drawn at random, so every question is asked about equally often and, over the
round, every question is covered. A respondent's answers to a question are then a random
sample of everyone's, and:

- a question's mean, ȳ_q, is the mean of the level answers it got, as in a full round;
- a theme's mean is the weighted mean of its question means, θ = Σ w_q ȳ_q / Σ w_q, over the
  questions with a mean. When everyone answers every question at a level, this equals the
  mean of respondents' theme scores, the full round's figure; with part of the questions
  each it stays an unbiased estimate of it, because each ȳ_q is;
- its standard error comes from linearisation: each respondent r contributes
  u_r = Σ_q (w_q / W) × (x_rq − ȳ_q) / n_q over the questions r answered at a level (n_q answers
  to q, W = Σ w_q), and se² = n / (n − 1) × Σ_r u_r², n the respondents contributing;
- the overall score is the mean of the T theme means as in a full round, with
  u_r = (1/T) Σ_t u_rt;
- respondents' own theme scores are not compared (they come from different questions), so a
  short round has no quartiles, standard deviation or disagreement flag.

Worked example: a theme of two questions of weight 1. Four respondents are asked one each:
q1 gets scores 50 and 100, q2 gets 25 and 25. ȳ₁ = 75, ȳ₂ = 25, θ = (75 + 25) / 2 = 50. The
first respondent's u = (1/2) × (50 − 75) / 2 = −6.25, the others' 6.25, 0 and 0; Σu² = 78.1,
se² = 4/3 × 78.1 = 104.2, se = 10.2, margin with 3 degrees of freedom 32.5: "50 ± 32".
"""

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence

from assessments.aggregates import (
    GroupFigures,
    QuestionFigures,
    RoundFigures,
    ThemeFigures,
    ThemeSummary,
)
from assessments.anonymity import group_visibility
from assessments.scoring import DONT_KNOW, LEVEL, NOT_APPLICABLE, ResponseAnswers, ThemeSpec

# How long answering takes: reading plain English at this many words a minute, and this
# many seconds to choose each answer and for each page.
WORDS_PER_MINUTE = 180
SECONDS_PER_ANSWER = 8
SECONDS_PER_PAGE = 10
# A short survey must take no longer than this, by the estimate above.
SHORT_MINUTES = 15
# Every theme asks at least this many questions, so its mean and margin can be worked out.
MIN_PER_THEME = 2


def minutes(words: float, answers: int, pages: int) -> int:
    """The time to answer, rounded up to whole minutes."""
    reading = 60 * words / WORDS_PER_MINUTE
    return max(
        1, math.ceil((reading + SECONDS_PER_ANSWER * answers + SECONDS_PER_PAGE * pages) / 60)
    )


def survey_minutes(
    question_words: Mapping[str, Sequence[int]],
    fixed_words: int,
    counts: Mapping[str, int] | None = None,
) -> int:
    """The time a respondent needs: `question_words` gives, by theme key, the words read for
    each of the theme's questions (its text and options), `fixed_words` those read whatever is
    asked, and `counts` how many of each theme's questions are asked (all when None; a short
    survey's respondents read the average question of each theme that many times)."""
    words, answers = float(fixed_words), 0
    for key, each in question_words.items():
        asked = len(each) if counts is None else counts[key]
        words += asked * (sum(each) / len(each) if each else 0)
        answers += asked
    # About you, the task list, each theme, and checking answers.
    return minutes(words, answers, len(question_words) + 3)


def short_counts(question_words: Mapping[str, Sequence[int]], fixed_words: int) -> dict[str, int]:
    """How many questions of each theme a short survey asks: the same share of every theme
    (at least MIN_PER_THEME), the largest that keeps `survey_minutes` within SHORT_MINUTES."""
    fewest = {key: min(MIN_PER_THEME, len(words)) for key, words in question_words.items()}
    for share in range(100, 0, -1):
        counts = {
            key: max(fewest[key], math.ceil(len(words) * share / 100))
            for key, words in question_words.items()
        }
        if survey_minutes(question_words, fixed_words, counts) <= SHORT_MINUTES:
            return counts
    return fewest


def choose_questions(asked: Mapping[str, int], how_many: int, rng: random.Random) -> list[str]:
    """`how_many` of a theme's questions for a new respondent: those asked least so far in
    the round (`asked` by question key), ties drawn at random."""
    keys = list(asked)
    rng.shuffle(keys)
    return sorted(keys, key=lambda key: asked[key])[:how_many]


def _question_figures(
    themes: Sequence[ThemeSpec], responses: Sequence[ResponseAnswers]
) -> dict[str, QuestionFigures]:
    counts: dict[str, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    for response in responses:
        for answer in response.answers:
            counts[answer.question][answer.level or answer.kind] += 1
    return {
        q.key: QuestionFigures(
            q.key,
            tuple(counts[q.key][level] for level in range(1, 6)),
            counts[q.key][NOT_APPLICABLE],
            counts[q.key][DONT_KNOW],
        )
        for theme in themes
        for q in theme.questions
    }


def _theme_estimates(
    themes: Sequence[ThemeSpec],
    responses: Sequence[ResponseAnswers],
    questions: Mapping[str, QuestionFigures],
) -> tuple[list[ThemeSummary], list[dict[str, float]]]:
    """Each theme's summary, and each respondent's contributions u_rt by theme key."""
    contributions: list[dict[str, float]] = [{} for _ in responses]
    summaries = []
    for theme in themes:
        means = {q.key: questions[q.key].mean for q in theme.questions}
        weights = {q.key: q.weight for q in theme.questions if means[q.key] is not None}
        total = sum(weights.values())
        scored = 0
        for index, response in enumerate(responses):
            given = [a for a in response.answers if a.kind == LEVEL and a.question in weights]
            if not given:
                continue
            scored += 1
            u = 0.0
            for answer in given:
                assert answer.level is not None
                mean = means[answer.question]
                assert mean is not None
                n = questions[answer.question].answered
                u += weights[answer.question] / total * (25 * (answer.level - 1) - mean) / n
            contributions[index][theme.key] = u
        mean = (
            math.fsum(weights[key] * means[key] for key in weights) / total  # type: ignore[operator]
            if total
            else None
        )
        squares = math.fsum(c[theme.key] ** 2 for c in contributions if theme.key in c)
        se = math.sqrt(scored / (scored - 1) * squares) if scored >= 2 else None
        summaries.append(
            ThemeSummary(
                theme=theme.key,
                n=scored,
                not_scored=len(responses) - scored,
                mean=mean,
                sd=None,
                q1=None,
                median=None,
                q3=None,
                se=se,
            )
        )
    return summaries, contributions


def _overall_se(
    summaries: Sequence[ThemeSummary], contributions: Sequence[Mapping[str, float]]
) -> float | None:
    scored = [s.theme for s in summaries if s.mean is not None]
    if not scored:
        return None
    overall = [sum(c.get(key, 0.0) for key in scored) / len(scored) for c in contributions]
    people = sum(1 for c in contributions if any(key in c for key in scored))
    if people < 2:
        return None
    return math.sqrt(people / (people - 1) * math.fsum(u * u for u in overall))


def short_round_figures(
    themes: Sequence[ThemeSpec], responses: Sequence[ResponseAnswers], k: int
) -> RoundFigures:
    """A short round's figures from each counted response's answers (`group` None: counted
    overall only), by the estimator of the module docstring."""
    if len(responses) < k:
        return RoundFigures(responses=len(responses), anonymity_threshold=k)
    questions = _question_figures(themes, responses)
    summaries, contributions = _theme_estimates(themes, responses, questions)
    group_counts: dict[str | None, int] = defaultdict(int)
    for response in responses:
        group_counts[response.group] += 1
    groups = []
    for group, reason in group_visibility(group_counts, k).items():
        if reason:
            groups.append(GroupFigures(group, hidden=reason))
            continue
        members = [r for r in responses if r.group == group]
        own, _ = _theme_estimates(themes, members, _question_figures(themes, members))
        groups.append(GroupFigures(group, responses=len(members), themes=tuple(own)))
    theme_figures = tuple(
        ThemeFigures(
            **{f: getattr(summary, f) for f in summary.__dataclass_fields__},
            weight=theme.weight,
            questions=tuple(questions[q.key] for q in theme.questions),
        )
        for theme, summary in zip(themes, summaries, strict=True)
    )
    unattributed = [r for r in responses if r.group is None]
    return RoundFigures(
        responses=len(responses),
        anonymity_threshold=k,
        themes=theme_figures,
        groups=tuple(groups),
        overall_se=_overall_se(summaries, contributions),
        overall_n=sum(1 for c in contributions if c),
        overall_only=len(unattributed),
        overall_only_themes=tuple(
            _theme_estimates(themes, unattributed, _question_figures(themes, unattributed))[0]
        )
        if unattributed
        else (),
    )
