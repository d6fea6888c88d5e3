"""Margins of error and Student's t, checked against SciPy and published tables."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from assessments import aggregates, margins, scoring


@pytest.mark.parametrize(
    ("df", "table"),
    # Two-sided 95% critical values, as printed in statistics tables.
    [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (20, 2.086), (30, 2.042), (120, 1.980)],
)
def test_critical_t_matches_the_tables(df, table):
    assert margins.critical_t(df) == pytest.approx(table, abs=5e-4)


@given(st.floats(0.5, 1e4), st.floats(0.01, 0.99))
def test_t_quantile_matches_scipy(df, p):
    assert margins.t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-7, abs=1e-7)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        margins.t_quantile(1.0, 5)
    with pytest.raises(ValueError):
        margins.t_quantile(0.5, 0)


def test_a_question_sd_comes_from_its_counts():
    counts = (3, 0, 5, 1, 2)
    scores = [0] * 3 + [50] * 5 + [75] + [100] * 2
    assert margins.level_sd(counts) == pytest.approx(stats.tstd(scores))
    assert margins.level_sd((1, 0, 0, 0, 0)) is None


def test_the_welch_interval_matches_scipy():
    rng = random.Random(4)
    before = [rng.gauss(40, 24) for _ in range(25)]
    after = [rng.gauss(48, 20) for _ in range(30)]
    change = margins.ChangeInterval(estimate(after), estimate(before))
    result = stats.ttest_ind(after, before, equal_var=False)
    interval = result.confidence_interval(0.95)
    assert change.delta - change.margin == pytest.approx(interval.low)
    assert change.delta + change.margin == pytest.approx(interval.high)
    assert change.clear == (result.pvalue < 0.05)


def estimate(values):
    n = len(values)
    return margins.Estimate(
        sum(values) / n, margins.standard_error(stats.tstd(values), n), n, n - 1
    )


def test_no_change_is_stated_under_the_minimum():
    few = margins.Estimate(80, 1, margins.MIN_FOR_CHANGE - 1, margins.MIN_FOR_CHANGE - 2)
    many = margins.Estimate(20, 1, 100, 99)
    assert not margins.ChangeInterval(few, many).stated
    assert margins.ChangeInterval(few, many).margin is None
    assert not margins.ChangeInterval(few, many).clear


@given(
    st.lists(
        st.lists(st.sampled_from([0, 25, 50, 75, 100, None]), min_size=3, max_size=3),
        min_size=3,
        max_size=25,
    )
)
def test_the_overall_standard_error_equals_the_direct_formula(rows):
    """With every theme scored for everyone, the overall mean is the mean of each person's
    average, whose standard error is plain: the covariance formula must agree with it."""
    rows = [row for row in rows if None not in row]
    if len(rows) < 2:
        return
    themes = [
        aggregates.summarise_theme(key, [row[i] for row in rows], len(rows))
        for i, key in enumerate("abc")
    ]
    scores = [dict(zip("abc", row, strict=True)) for row in rows]
    averages = [sum(row) / 3 for row in rows]
    direct = stats.tstd(averages) / math.sqrt(len(rows)) if len(set(averages)) > 1 else 0.0
    assert margins.overall_standard_error(themes, scores) == pytest.approx(direct, abs=1e-6)


def test_round_figures_carry_the_overall_standard_error():
    spec = scoring.ThemeSpec("t", (scoring.QuestionSpec("q", 1),))
    responses = [
        scoring.ResponseAnswers("a", (scoring.AnswerValue("q", scoring.LEVEL, level),))
        for level in (1, 3, 5, 5)
    ]
    figures = aggregates.round_figures([spec], responses, 3)
    assert figures.overall_se == pytest.approx(stats.sem([0, 50, 100, 100]))
    assert figures.overall_estimate.margin == pytest.approx(
        stats.t.ppf(0.975, 3) * stats.sem([0, 50, 100, 100])
    )
