"""The short survey: balanced questions, a time estimate within 15 minutes, and figures that
stay unbiased with margins that hold. No database."""

import random
import statistics

import pytest

from assessments import aggregates, sampling
from assessments.scoring import LEVEL, AnswerValue, QuestionSpec, ResponseAnswers, ThemeSpec


def test_the_worked_example():
    theme = ThemeSpec("t", (QuestionSpec("q1", 1), QuestionSpec("q2", 1)))
    answers = [("q1", 3), ("q1", 5), ("q2", 2), ("q2", 2)]
    responses = [ResponseAnswers("a", (AnswerValue(q, LEVEL, level),)) for q, level in answers]
    figures = sampling.short_round_figures([theme], responses, 3).themes[0]
    assert figures.mean == 50
    assert figures.se == pytest.approx(10.206, abs=1e-3)
    assert figures.estimate.margin == pytest.approx(32.48, abs=0.01)
    # Respondents' own scores come from different questions: no spread is claimed.
    assert (figures.sd, figures.q1, figures.disagreement) == (None, None, False)


def test_questions_go_to_those_asked_least_so_far():
    rng = random.Random(1)
    asked = dict.fromkeys(["a", "b", "c", "d", "e"], 0)
    for _ in range(1000):
        for key in sampling.choose_questions(asked, 2, rng):
            asked[key] += 1
    assert set(asked.values()) == {400}


def test_ties_are_drawn_at_random_so_every_pair_is_asked_together():
    rng = random.Random(2)
    asked = dict.fromkeys("abcd", 0)
    pairs = set()
    for _ in range(200):
        chosen = sampling.choose_questions(asked, 2, rng)
        pairs.add(frozenset(chosen))
        for key in chosen:
            asked[key] += 1
    assert len(pairs) == 6


def test_a_short_survey_fits_in_fifteen_minutes_and_asks_every_theme():
    # Nine themes of five or six questions of about 85 words each: a full survey of about 40
    # minutes, as the bank of an earlier version.
    words = {f"t{i}": [85] * (5 + i % 2) for i in range(9)}
    counts = sampling.short_counts(words, fixed_words=300)
    assert sampling.survey_minutes(words, 300) > 30
    assert sampling.survey_minutes(words, 300, counts) <= sampling.SHORT_MINUTES
    assert all(count >= sampling.MIN_PER_THEME for count in counts.values())
    assert all(counts[key] <= len(words[key]) for key in words)


def test_the_estimate_is_unbiased_and_its_margin_holds():
    """Staff with their own full answers; many short rounds drawn from them. The short
    estimate averages to the full round's figure, and its 95% interval holds it about 95
    times in 100."""
    rng = random.Random(3)
    theme = ThemeSpec("t", tuple(QuestionSpec(f"q{i}", 1 + i % 2) for i in range(6)))
    staff = []
    for _ in range(60):
        base = rng.gauss(3, 0.8)
        staff.append([min(5, max(1, round(base + rng.gauss(0, 0.7)))) for _ in range(6)])
    full = (
        aggregates.round_figures(
            [theme],
            [
                ResponseAnswers(
                    "a", tuple(AnswerValue(f"q{i}", LEVEL, level) for i, level in enumerate(person))
                )
                for person in staff
            ],
            3,
        )
        .themes[0]
        .mean
    )
    means, held = [], 0
    trials = 400
    for _ in range(trials):
        asked = dict.fromkeys([q.key for q in theme.questions], 0)
        responses = []
        for person in staff:
            chosen = sampling.choose_questions(asked, 3, rng)
            for key in chosen:
                asked[key] += 1
            answers = tuple(AnswerValue(key, LEVEL, person[int(key[1:])]) for key in chosen)
            responses.append(ResponseAnswers("a", answers))
        estimate = sampling.short_round_figures([theme], responses, 3).themes[0]
        means.append(estimate.mean)
        held += abs(estimate.mean - full) <= estimate.estimate.margin
    assert statistics.fmean(means) == pytest.approx(full, abs=0.5)
    # The staff are the whole population here, so the margin is if anything generous.
    assert held / trials >= 0.9
