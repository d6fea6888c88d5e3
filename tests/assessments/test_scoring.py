"""The scoring method, without a database. The strategies here also drive test_figures."""

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assessments import aggregates, anonymity, comparison, margins, scoring
from assessments.aggregates import (
    GroupFigures,
    QuestionFigures,
    RoundFigures,
)
from assessments.comparison import (
    PeerCandidate,
)
from assessments.scoring import (
    AnswerValue,
    QuestionSpec,
    ResponseAnswers,
    ThemeSpec,
    ThemeSums,
)

ROLE_GROUPS = ("leadership", "digital", "frontline", "")


@dataclass(frozen=True)
class Bank:
    themes: tuple[ThemeSpec, ...]
    allow_na: dict[str, bool]
    allow_dk: dict[str, bool]


@st.composite
def banks(draw):
    themes, allow_na, allow_dk = [], {}, {}
    for t in range(draw(st.integers(1, 3))):
        questions = []
        for q in range(draw(st.integers(1, 4))):
            key = f"t{t}-q{q}"
            questions.append(QuestionSpec(key, draw(st.integers(1, 10))))
            allow_na[key], allow_dk[key] = draw(st.booleans()), draw(st.booleans())
        themes.append(ThemeSpec(f"t{t}", tuple(questions), draw(st.integers(1, 3))))
    return Bank(tuple(themes), allow_na, allow_dk)


def answer_choices(bank, key):
    """None is no answer row at all; the others are AnswerValue (kind, level)."""
    choices = [None, ("", None), *((scoring.LEVEL, level) for level in range(1, 6))]
    if bank.allow_na[key]:
        choices.append((scoring.NOT_APPLICABLE, None))
    if bank.allow_dk[key]:
        choices.append((scoring.DONT_KNOW, None))
    return st.sampled_from(choices)


@st.composite
def answer_sets(draw, bank):
    answers = []
    for theme in bank.themes:
        for question in theme.questions:
            choice = draw(answer_choices(bank, question.key))
            if choice is not None:
                answers.append(AnswerValue(question.key, *choice))
    return tuple(answers)


def theme(key="data", *weights):
    return ThemeSpec(key, tuple(QuestionSpec(f"{key}-{i}", w) for i, w in enumerate(weights)))


def level(question, value):
    return AnswerValue(question, scoring.LEVEL, value)


NA = scoring.NOT_APPLICABLE
DK = scoring.DONT_KNOW

DATA = ThemeSpec(
    "data",
    (
        QuestionSpec("data-strategy", 2),
        QuestionSpec("data-quality", 1),
        QuestionSpec("data-sharing", 1),
        QuestionSpec("data-ethics", 1),
    ),
)
WORKED_ANSWERS = (
    level("data-strategy", 4),
    level("data-quality", 2),
    AnswerValue("data-sharing", DK, None),
    AnswerValue("data-ethics", NA, None),
)


# The worked example in the module docstring


def test_worked_example_respondent():
    score = scoring.respondent_scores([DATA], WORKED_ANSWERS)["data"]
    assert score == scoring.ThemeScore(
        theme="data",
        score=175 / 3,
        answered_weight=3,
        applicable_weight=4,
        dont_know=1,
        not_applicable=1,
    )
    assert scoring.theme_sums([DATA], WORKED_ANSWERS)["data"].points == 7
    assert scoring.whole_points(score.score) == 58
    assert scoring.level_of(score.score) == 3


def test_worked_example_with_a_second_dont_know_has_not_enough_answers():
    answers = (*WORKED_ANSWERS[:1], AnswerValue("data-quality", DK, None), *WORKED_ANSWERS[2:])
    score = scoring.respondent_scores([DATA], answers)["data"]
    assert (score.answered_weight, score.applicable_weight, score.score) == (2, 4, None)


def test_worked_example_round():
    other = [
        (level("data-strategy", 2), level("data-quality", 2)),  # 25
        (level("data-strategy", 4), level("data-quality", 4)),  # 75
        (level("data-strategy", 5), level("data-quality", 5)),  # 100
        (level("data-strategy", 5),),  # 2 of 5: not enough answers
    ]
    responses = [ResponseAnswers("digital", WORKED_ANSWERS)] + [
        ResponseAnswers("digital", answers) for answers in other
    ]
    data = aggregates.round_figures([DATA], responses, k=5).themes[0]
    assert (data.n, data.not_scored) == (4, 1)
    assert data.mean == pytest.approx(64.5833, abs=1e-4)
    assert data.sd == pytest.approx(31.4576, abs=1e-4)
    assert (data.q1, data.median, data.q3) == pytest.approx((50, 66.6667, 81.25), abs=1e-4)
    assert data.iqr == pytest.approx(31.25)
    assert not data.disagreement


# Respondent scores


def test_question_score_maps_levels_to_0_to_100():
    spec = ThemeSpec("t", (QuestionSpec("q", 1),))
    scores = [scoring.respondent_scores([spec], [level("q", lv)])["t"].score for lv in range(1, 6)]
    assert scores == [0, 25, 50, 75, 100]
    with pytest.raises(ValueError):
        level("q", 6)


def test_not_applicable_leaves_the_theme_weight_and_the_mean():
    spec = theme("t", 1, 1, 1)
    answers = (level("t-0", 5), level("t-1", 1), AnswerValue("t-2", NA, None))
    score = scoring.respondent_scores([spec], answers)["t"]
    assert (score.score, score.applicable_weight, score.not_applicable) == (50, 2, 1)


def test_dont_know_leaves_the_mean_but_counts_against_coverage():
    spec = theme("t", 1, 1, 1)
    answers = (level("t-0", 5), level("t-1", 5), AnswerValue("t-2", DK, None))
    score = scoring.respondent_scores([spec], answers)["t"]
    assert (score.score, score.applicable_weight, score.dont_know) == (100, 3, 1)


def test_all_not_applicable_has_no_score():
    spec = theme("t", 1, 1)
    answers = (AnswerValue("t-0", NA, None), AnswerValue("t-1", NA, None))
    assert scoring.respondent_scores([spec], answers)["t"].score is None


def test_coverage_of_exactly_60_percent_is_enough():
    spec = theme("t", 3, 2)
    assert scoring.respondent_scores([spec], [level("t-0", 3)])["t"].score == 50


def test_coverage_just_under_60_percent_is_not_enough():
    spec = theme("t", 7, 5)  # 7 of 12 is 58.3%
    assert scoring.respondent_scores([spec], [level("t-0", 3)])["t"].score is None


def test_weights_count_each_question_that_many_times():
    spec = theme("t", 3, 1)
    answers = (level("t-0", 5), level("t-1", 1))
    assert scoring.respondent_scores([spec], answers)["t"].score == 75


def test_unanswered_and_unknown_questions_are_ignored():
    spec = theme("t", 1, 1)
    answers = (level("t-0", 5), AnswerValue("t-1", "", None), level("elsewhere", 1))
    score = scoring.respondent_scores([spec], answers)["t"]
    assert (score.score, score.answered_weight) == (None, 1)


def test_answer_value_refuses_a_level_without_kind_level():
    with pytest.raises(ValueError):
        AnswerValue("q", DK, 3)
    with pytest.raises(ValueError):
        AnswerValue("q", scoring.LEVEL, None)


@given(st.data())
def test_theme_scores_stay_between_0_and_100(data):
    bank = data.draw(banks())
    for score in scoring.respondent_scores(bank.themes, data.draw(answer_sets(bank))).values():
        assert score.score is None or 0 <= score.score <= 100


@given(st.data())
def test_coverage_rule_decides_whether_a_score_is_shown(data):
    bank = data.draw(banks())
    for score in scoring.respondent_scores(bank.themes, data.draw(answer_sets(bank))).values():
        enough = (
            score.answered_weight > 0 and score.answered_weight >= 0.6 * score.applicable_weight
        )
        assert (score.score is not None) == enough


@given(st.data())
def test_raising_one_level_never_lowers_a_theme_score(data):
    bank = data.draw(banks())
    answers = data.draw(answer_sets(bank))
    raisable = [i for i, a in enumerate(answers) if a.kind == scoring.LEVEL and a.level < 5]
    assume(raisable)
    i = data.draw(st.sampled_from(raisable))
    raised = (*answers[:i], replace(answers[i], level=answers[i].level + 1), *answers[i + 1 :])
    before = scoring.respondent_scores(bank.themes, answers)
    after = scoring.respondent_scores(bank.themes, raised)
    for key, score in before.items():
        assert (score.score is None) == (after[key].score is None)
        assert score.score is None or after[key].score >= score.score


# Display


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, 1),
        (19.4, 1),
        (19.5, 2),
        (37.5, 2),
        (39.49, 2),
        (39.5, 3),
        (59, 3),
        (60, 4),
        (79.5, 5),
        (100, 5),
    ],
)
def test_a_score_names_the_fifth_of_the_scale_its_shown_score_falls_in(score, expected):
    assert scoring.level_of(score) == expected


def test_level_bands_cover_the_scale_once():
    bands = [scoring.level_band(level) for level in range(1, 6)]
    assert bands == [(0, 19), (20, 39), (40, 59), (60, 79), (80, 100)]
    for shown in range(0, 101):
        assert [low <= shown <= high for low, high in bands].count(True) == 1
        assert scoring.level_band(scoring.level_of(shown))[0] <= shown


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (62.5, 0, "63"),
        (-7.5, 0, "-7"),
        (7.5, 0, "8"),
        (0.125, 2, "0.13"),
        (-0.125, 2, "-0.12"),
        (2.675, 2, "2.68"),
        (-2.5, 0, "-2"),
    ],
)
def test_halves_round_up_negatives_too(value, places, expected):
    assert str(scoring.round_half_up(value, places)) == expected


# Round figures, suppression


def responses(*role_groups, answers=WORKED_ANSWERS):
    return [ResponseAnswers(group, answers) for group in role_groups]


def test_round_under_k_carries_only_its_count():
    figures = aggregates.round_figures([DATA], responses("digital", "digital"), k=3)
    assert figures.suppressed
    assert (figures.responses, figures.themes, figures.groups) == (2, (), ())
    assert figures.overall is None
    assert set(figures.to_dict()) == {
        "format",
        "responses",
        "anonymity_threshold",
        "themes",
        "groups",
        "overall_se",
        "overall_n",
        "overall_only",
        "overall_only_themes",
    }


def test_round_at_k_has_figures():
    figures = aggregates.round_figures([DATA], responses("digital", "digital", "digital"), k=3)
    assert not figures.suppressed
    assert figures.themes[0].mean == 175 / 3


def test_figures_under_k_cannot_be_built_or_loaded():
    full = aggregates.round_figures([DATA], responses("digital", "digital", "digital"), k=3)
    with pytest.raises(ValueError):
        RoundFigures(responses=2, anonymity_threshold=3, themes=full.themes)
    tampered = {**full.to_dict(), "responses": 2}
    with pytest.raises(ValueError):
        RoundFigures.from_dict(tampered)


def test_hidden_group_cannot_carry_figures():
    with pytest.raises(ValueError):
        GroupFigures("digital", hidden=anonymity.TOO_FEW, responses=2)


def visibility(k=5, **counts):
    return anonymity.group_visibility(counts, k)


def test_all_groups_of_k_or_more_are_shown():
    assert visibility(digital=5, frontline=7) == {"digital": "", "frontline": ""}


def test_one_small_group_hides_the_next_smallest_too():
    assert visibility(commercial=2, digital=6, frontline=9, leadership=12) == {
        "commercial": anonymity.TOO_FEW,
        "digital": anonymity.COMPLEMENTARY,
        "frontline": "",
        "leadership": "",
    }


def test_complementary_ties_are_broken_by_group_key():
    result = visibility(commercial=1, frontline=6, digital=6, leadership=6)
    assert result["digital"] == anonymity.COMPLEMENTARY
    assert result["frontline"] == result["leadership"] == ""


def test_two_small_groups_that_together_reach_k_need_no_more():
    result = visibility(commercial=2, corporate=3, digital=6, frontline=6)
    assert [g for g, reason in result.items() if reason] == ["commercial", "corporate"]


def test_two_small_groups_under_k_together_hide_another():
    result = visibility(commercial=1, corporate=1, digital=6, frontline=7, leadership=8)
    assert result == {
        "commercial": anonymity.TOO_FEW,
        "corporate": anonymity.TOO_FEW,
        "digital": anonymity.COMPLEMENTARY,
        "frontline": "",
        "leadership": "",
    }


def test_one_group_left_shown_is_hidden_as_well():
    assert visibility(commercial=1, digital=6, frontline=9) == {
        "commercial": anonymity.TOO_FEW,
        "digital": anonymity.COMPLEMENTARY,
        "frontline": anonymity.NO_COMPARISON,
    }
    assert visibility(digital=9) == {"digital": anonymity.NO_COMPARISON}


def test_groups_without_responses_are_absent():
    assert visibility(digital=5, frontline=5, commercial=0) == {"digital": "", "frontline": ""}


@given(st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 12)), st.integers(3, 6))
def test_hidden_groups_can_never_be_worked_out_by_subtraction(counts, k):
    result = anonymity.group_visibility(counts, k)
    shown = [g for g, reason in result.items() if not reason]
    hidden = sum(counts[g] for g, reason in result.items() if reason)
    assert all(counts[g] >= k for g in shown)
    # What the shown groups leave of the total is nobody, or at least k people.
    assert not shown or hidden == 0 or hidden >= k
    assert len(shown) != 1
    assert set(result) == {g for g, n in counts.items() if n}


def test_round_figures_hide_small_groups_entirely():
    answers = responses(*["digital"] * 5, *["frontline"] * 6, "commercial")
    figures = aggregates.round_figures([DATA], answers, k=5)
    by_group = {g.group: g for g in figures.groups}
    assert by_group["commercial"] == GroupFigures("commercial", hidden=anonymity.TOO_FEW)
    assert by_group["digital"] == GroupFigures("digital", hidden=anonymity.COMPLEMENTARY)
    assert by_group["frontline"].hidden == anonymity.NO_COMPARISON
    assert figures.visible_groups == ()


def test_perception_gap_by_role_group():
    low = (level("data-strategy", 1), level("data-quality", 1))
    figures = aggregates.round_figures(
        [DATA],
        responses(*["digital"] * 3) + responses(*["frontline"] * 3, answers=low),
        k=3,
    )
    means = {g.group: g.themes[0].mean for g in figures.visible_groups}
    assert means == {"digital": 175 / 3, "frontline": 0}
    assert [g.responses for g in figures.visible_groups] == [3, 3]


def test_question_figures_count_every_kind():
    answers = [
        ResponseAnswers("digital", WORKED_ANSWERS),
        ResponseAnswers(
            "digital", (level("data-strategy", 2), AnswerValue("data-quality", "", None))
        ),
        ResponseAnswers("digital", (AnswerValue("data-strategy", DK, None),)),
    ]
    data = aggregates.round_figures([DATA], answers, k=3).themes[0]
    strategy, quality, sharing, ethics = data.questions
    assert strategy.counts == (0, 1, 0, 1, 0)
    assert (strategy.answered, strategy.dont_know, strategy.mean) == (2, 1, 50)
    assert (quality.answered, quality.answers) == (1, 1)
    assert sharing == QuestionFigures("data-sharing", (0,) * 5, dont_know=1)
    assert ethics.not_applicable == 1 and ethics.mean is None
    assert data.knowledge_gap == 2 / 6
    assert (data.strongest_question, data.weakest_question) == (strategy, quality)


def test_no_strongest_question_when_none_stands_out():
    figures = aggregates.round_figures(
        [DATA], responses("a", "a", "a", answers=WORKED_ANSWERS[:1]), 3
    )
    assert figures.themes[0].strongest_question is None
    assert figures.themes[0].weakest_question is None


def test_disagreement_from_an_iqr_of_exactly_50():
    summary = aggregates.summarise_theme("t", [0, 100], responses=2)
    assert (summary.iqr, summary.disagreement) == (50, True)
    assert not aggregates.summarise_theme("t", [0, 99.9], responses=2).disagreement


def test_one_score_has_a_mean_but_no_spread():
    summary = aggregates.summarise_theme("t", [40], responses=3)
    assert (summary.mean, summary.median, summary.sd, summary.iqr) == (40, 40, None, None)
    assert summary.not_scored == 2


def test_overall_is_the_unweighted_mean_of_themes_beside_the_weakest():
    strong = ThemeSpec("strong", (QuestionSpec("s", 1),), weight=3)
    weak = ThemeSpec("weak", (QuestionSpec("w", 1),))
    empty = ThemeSpec("empty", (QuestionSpec("e", 1),))
    answers = (level("s", 5), level("w", 2))
    figures = aggregates.round_figures(
        [strong, weak, empty], responses("a", "a", "a", answers=answers), 3
    )
    assert figures.overall == 62.5
    assert figures.weakest_theme.theme == "weak"
    assert aggregates.strengths(figures)[0].theme == "strong"
    assert [t.theme for t in figures.scored_themes] == ["strong", "weak"]


def themes_figures(means_and_weights):
    return RoundFigures(
        responses=3,
        anonymity_threshold=3,
        themes=tuple(
            aggregates.ThemeFigures(
                theme=key,
                n=3,
                not_scored=0,
                mean=mean,
                sd=None,
                q1=None,
                median=None,
                q3=None,
                se=None,
                weight=weight,
                questions=(),
            )
            for key, mean, weight in means_and_weights
        ),
    )


def test_priorities_are_weakest_first_with_equal_weights():
    figures = themes_figures([("a", 60, 1), ("b", 30, 1), ("c", 45, 1), ("d", 30, 1)])
    assert [t.theme for t in aggregates.priorities(figures)] == ["b", "d", "c", "a"]
    assert [t.theme for t in aggregates.strengths(figures)] == ["a", "c", "b", "d"]


def test_priorities_weigh_the_gap_by_theme_weight():
    # gaps: a 2 x 40 = 80, b 1 x 70 = 70, c 1 x 80 = 80 (weaker than a, so first of the tie)
    figures = themes_figures([("a", 60, 2), ("b", 30, 1), ("c", 20, 1)])
    assert [t.theme for t in aggregates.priorities(figures)] == ["c", "a", "b"]


# Trend


def figures_for(themes, answers, k=3):
    return aggregates.round_figures(themes, responses("a", "a", "a", answers=answers), k)


def test_trend_matches_questions_on_concept_key_across_versions():
    before = [
        ThemeSpec("data", (QuestionSpec("strategy", 1), QuestionSpec("retired", 1))),
        ThemeSpec("skills", (QuestionSpec("training", 1),)),
    ]
    # v2: "strategy" kept, "retired" removed, "quality" added, "training" moved theme,
    # "skills" renamed to "people"; "unanswered" is new and has no answers yet.
    after = [
        ThemeSpec("data", (QuestionSpec("strategy", 1), QuestionSpec("quality", 1))),
        ThemeSpec("people", (QuestionSpec("training", 1), QuestionSpec("unanswered", 1))),
    ]
    previous = figures_for(
        before, (level("strategy", 2), level("retired", 1), level("training", 3))
    )
    current = figures_for(after, (level("strategy", 4), level("quality", 3), level("training", 3)))
    trend = comparison.compare_rounds(current, previous)
    assert trend.summary == "2 of 4 questions comparable"
    assert [(q.question, q.interval.delta) for q in trend.questions] == [
        ("strategy", 50),
        ("quality", None),
        ("training", 0),
        ("unanswered", None),
    ]
    data, people = trend.themes
    assert (data.previous.mean, data.current.mean, data.shown) == (12.5, 62.5, 50)
    assert (data.comparable_questions, data.questions) == (1, 2)
    assert (people.previous.mean, people.comparable_questions) == (None, 1)
    # Three people a side: far too few to state any change.
    assert data.direction is None and not data.stated


def estimate(mean, sd, n):
    return margins.Estimate(mean, margins.standard_error(sd, n), n, n - 1)


@pytest.mark.parametrize(
    ("current", "previous", "direction"),
    [
        # 48 (SD 20, 30 people) against 40 (SD 24, 25): +8 within its margin of 12.
        (estimate(48, 20, 30), estimate(40, 24, 25), "steady"),
        # The same change with ten times the people is clear.
        (estimate(48, 20, 300), estimate(40, 24, 250), "up"),
        (estimate(40, 20, 300), estimate(48, 24, 250), "down"),
        # Fewer than MIN_FOR_CHANGE on either side: nothing is stated.
        (estimate(90, 5, 9), estimate(10, 5, 40), None),
        # Clear as computed (0.8 beyond 0.6) but not as printed: +1 is not beyond ±1.
        (estimate(50.8, 2.3, 1000), estimate(50.0, 2.3, 1000), "steady"),
    ],
)
def test_a_change_is_up_or_down_only_beyond_its_margin(current, previous, direction):
    change = comparison.Change(current, previous)
    assert change.direction == direction
    if direction is not None:
        assert change.shown == round(current.mean) - round(previous.mean)


def test_the_worked_example_of_a_change():
    change = comparison.Change(estimate(48, 20, 30), estimate(40, 24, 25))
    assert change.interval.se == pytest.approx(6.03, abs=0.01)
    assert change.interval.df == pytest.approx(46.8, abs=0.1)
    assert change.interval.margin == pytest.approx(12.1, abs=0.05)
    assert (change.shown, change.shown_margin, change.direction) == (8, 13, "steady")


def test_no_trend_against_a_suppressed_round():
    current = figures_for([DATA], WORKED_ANSWERS)
    assert comparison.compare_rounds(current, RoundFigures(2, 3)) is None
    assert comparison.compare_rounds(RoundFigures(2, 3), current) is None


# Peer benchmark


def test_peer_benchmark_is_hidden_under_5_organisations():
    peers = [{"data": 50.0}] * 4
    assert comparison.benchmark(["data"], peers, comparison.PEERS_FUNCTION) is None


def test_peer_benchmark_gives_median_and_quartiles_with_n():
    peers = [{"data": v, "skills": v} for v in (10.0, 20.0, 30.0, 40.0)] + [{"data": 90.0}]
    result = comparison.benchmark(["data", "skills"], peers, comparison.PEERS_FUNCTION)
    data, skills = result.themes
    assert (data.n, data.q1, data.median, data.q3, data.iqr) == (5, 20, 30, 40, 20)
    assert (skills.n, skills.median, skills.iqr) == (4, None, None)
    assert result.organisations == 5


def candidates(*size_bands, function="01"):
    return [PeerCandidate(i, function, band, {"data": 50.0}) for i, band in enumerate(size_bands)]


def test_peer_group_is_function_and_size_band_when_there_are_5():
    group, peers = comparison.choose_peer_group(
        candidates("l", "l", "l", "l", "l", "s") + candidates("l", function="07"),
        function="01",
        size_band="l",
    )
    assert (group, len(peers)) == (comparison.PEERS_FUNCTION_AND_SIZE, 5)


def test_peer_group_falls_back_to_function():
    group, peers = comparison.choose_peer_group(
        candidates("l", "l", "l", "l", "s", "m"), function="01", size_band="l"
    )
    assert (group, len(peers)) == (comparison.PEERS_FUNCTION, 6)


# Serialising


@given(st.data())
def test_round_figures_survive_json(data):
    bank = data.draw(banks())
    answers = data.draw(
        st.lists(
            st.builds(ResponseAnswers, st.sampled_from(ROLE_GROUPS), answer_sets(bank)), max_size=12
        )
    )
    figures = aggregates.round_figures(bank.themes, answers, k=data.draw(st.integers(3, 5)))
    assert RoundFigures.from_dict(json.loads(json.dumps(figures.to_dict()))) == figures


def test_figures_in_another_format_are_refused():
    figures = figures_for([DATA], WORKED_ANSWERS).to_dict()
    with pytest.raises(ValueError):
        RoundFigures.from_dict({**figures, "format": aggregates.FORMAT + 1})


def test_sums_give_the_same_score_as_answers():
    sums = ThemeSums("data", points=7, answered_weight=3, not_applicable_weight=1, dont_know=1)
    from_sums = scoring.theme_score_from_sums(DATA, replace(sums, not_applicable=1))
    assert from_sums == scoring.respondent_scores([DATA], WORKED_ANSWERS)["data"]
    assert math.isclose(from_sums.score, 58.333333, rel_tol=1e-6)


def test_methodology_states_the_thresholds_the_code_uses():
    text = (Path(__file__).parents[2] / "docs" / "methodology.md").read_text()
    coverage = 100 * scoring.COVERAGE_NUMERATOR // scoring.COVERAGE_DENOMINATOR
    assert f"answered weight ≥ {coverage}% of the applicable weight" in text
    assert f"**{aggregates.DISAGREEMENT_IQR} points or more**" in text
    assert f"fewer than **{margins.MIN_FOR_CHANGE} people**" in text
    assert f"**{100 * margins.CONFIDENCE:.0f}% margin of error**" in text
    assert f"at least {comparison.MIN_PEERS} of them" in text
    for level in range(1, 6):
        low, high = scoring.level_band(level)
        assert f"| {low}–{high} | {level} (" in text
