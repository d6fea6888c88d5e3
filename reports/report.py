"""What a round's report shows: its latest snapshot's figures arranged for the page and the PDFs.

Every figure comes from the round's current snapshot (`assessments.figures`): its figures, the
peer benchmark stored with it, and the final figures of the round it is compared with.
`build_report` only arranges them for display, in whole points with their margins, as
docs/methodology.md says, in a constant number of queries whatever the number of responses.
Figures worked out from shown figures (a change, a gap) are worked out from them as shown.
"""

import hashlib
from dataclasses import dataclass, field

from assessments import aggregates, anonymity, comparison, margins, scoring
from assessments.comments import snapshot_comments
from assessments.figures import (
    comparison_round,
    comparison_rounds,
    current_snapshot,
    snapshot_round_figures,
)
from assessments.models import Response, Round
from maturity.versioning import version_content
from reports import palette, plans

# Comments shown per question on the report: enough to give the flavour of what staff said.
COMMENTS_PER_QUESTION = 5
# A theme whose answers are more than this share "Don't know" says its score is based on
# those who knew.
DONT_KNOW_NOTE = 0.2
NOT_STATED = "Not stated"


def points(value):
    """A score in whole points, or None."""
    return None if value is None else scoring.whole_points(value)


@dataclass(frozen=True)
class Score:
    """A score as shown: whole points, its 95% margin in whole points, its named level."""

    points: int
    margin: int | None
    level: int
    name: str

    @classmethod
    def of(cls, estimate, names):
        if estimate.mean is None:
            return None
        half = estimate.margin
        level = scoring.level_of(estimate.mean)
        return cls(
            points=scoring.whole_points(estimate.mean),
            margin=None if half is None else scoring.margin_points(half),
            level=level,
            name=names.get(level, ""),
        )


@dataclass(frozen=True)
class Shift:
    """A change against the comparison round as shown: the difference of the two shown
    scores, its margin, and its direction (up, down, steady for "no clear change", or None
    when too few people answered on either side to state any change)."""

    direction: str | None
    points: int | None
    margin: int | None
    previous: int | None

    @classmethod
    def of(cls, change):
        if change is None or not change.comparable:
            return None
        return cls(
            direction=change.direction,
            points=change.shown,
            margin=change.shown_margin,
            previous=points(change.previous.mean),
        )

    @property
    def size(self):
        return abs(self.points)

    @property
    def signed(self):
        return f"+{self.points}" if self.points > 0 else f"−{-self.points}" if self.points else "0"


@dataclass
class QuestionRow:
    key: str
    text: str
    figures: aggregates.QuestionFigures
    trend: comparison.QuestionTrend | None = None
    comments: list = field(default_factory=list)
    comment_count: int = 0

    @property
    def mean(self):
        return points(self.figures.mean)

    @property
    def shift(self):
        return Shift.of(self.trend)


@dataclass
class ThemeRow:
    key: str
    title: str
    figures: aggregates.ThemeFigures
    score: Score | None
    questions: list
    trend: comparison.ThemeTrend | None = None
    peer: comparison.PeerTheme | None = None
    recommendation: str = ""
    next_level: str = ""
    chart_id: str = ""  # the id of its answers chart's data on the page
    chart: dict | None = None  # that chart, for the page
    plan: plans.ThemePlan | None = None  # the organisation's target, view and actions

    def _question(self, figures):
        if figures is None:
            return None
        return next(q for q in self.questions if q.key == figures.question)

    @property
    def strongest(self):
        return self._question(self.figures.strongest_question)

    @property
    def weakest(self):
        return self._question(self.figures.weakest_question)

    @property
    def sd(self):
        return points(self.figures.sd)

    @property
    def q1(self):
        return points(self.figures.q1)

    @property
    def q3(self):
        return points(self.figures.q3)

    @property
    def iqr(self):
        """The range as shown: the upper quartile as shown minus the lower as shown."""
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1

    @property
    def knowledge_gap(self):
        share = self.figures.knowledge_gap
        return None if share is None else scoring.whole_points(100 * share)

    @property
    def mostly_known(self):
        """False when so many answered "Don't know" that the score is only those who knew."""
        share = self.figures.knowledge_gap
        return share is None or share <= DONT_KNOW_NOTE

    @property
    def shift(self):
        return Shift.of(self.trend)

    @property
    def peer_median(self):
        return points(self.peer.median) if self.peer else None

    @property
    def peer_q1(self):
        return points(self.peer.q1) if self.peer else None

    @property
    def peer_q3(self):
        return points(self.peer.q3) if self.peer else None

    @property
    def peer_position(self):
        """Where the theme score sits against the peers' middle half, as shown: never a rank."""
        score, low, high = self.score, self.peer_q1, self.peer_q3
        if score is None or low is None or high is None:
            return ""
        if score.points < low:
            return "Below the middle half"
        return "Above the middle half" if score.points > high else "Within the middle half"

    @property
    def comments(self):
        return [q for q in self.questions if q.comments]

    @property
    def comment_count(self):
        return sum(q.comment_count for q in self.questions)


def group_names(round):
    """The names of the groups under the round's breakdown, by key, in order: its role groups
    or its organisation's units, then "Not stated" ("") for those who did not say."""
    if round.breakdown == Round.Breakdown.UNIT:
        names = {str(unit.pk): unit.name for unit in round.organisation.units.all()}
    else:
        names = dict(Response.RoleGroup.choices)
    return {**names, "": NOT_STATED}


def _channels(round, snapshot):
    """Responses counted through each channel, and personal links' response rate; the links
    issued are counted now, the responses as of the snapshot."""
    counted = snapshot.channels if snapshot else {}
    issued = round.responses.filter(is_personal=True).count()
    personal = counted.get("personal", 0)
    return {
        "personal": personal,
        "open": counted.get("open", 0),
        "issued": issued,
        "percent": scoring.response_rate(issued=issued, submitted=personal),
    }


def _status(round, snapshot):
    waiting = round.submitted_count - (snapshot.responses if snapshot else 0)
    return {
        "snapshot": snapshot,
        "included": snapshot.responses if snapshot else 0,
        "submitted": round.submitted_count,
        "waiting": waiting,
        "next_move": None
        if round.is_closed
        else anonymity.responses_until_next(waiting, round.anonymity_threshold),
    }


def cache_key(round):
    """Everything a round's report depends on, for keying its cached PDFs: the round and its
    current snapshot, the round it is compared with and that round's snapshot, and the words
    printed about the round (title, organisation, dates, status) and the plan beside it."""
    snapshot = current_snapshot(round)
    previous = comparison_round(round)
    previous_snapshot = current_snapshot(previous) if previous else None
    words = (round.title, round.organisation.name, round.opens_on, round.closes_on, round.status)
    words += (plans.plan_stamp(round.organisation),)
    digest = hashlib.sha256(repr(words).encode()).hexdigest()[:16]
    return (
        round.pk,
        snapshot.pk if snapshot else 0,
        previous.pk if previous else 0,
        previous_snapshot.pk if previous_snapshot else 0,
        digest,
    )


def build_report(round, *, comments=True):
    """Everything the page and the PDFs show, as a template context; without what staff
    wrote if not `comments` (the board summary prints none, and screening them is slow)."""
    snapshot = current_snapshot(round)
    figures = snapshot_round_figures(round, snapshot)
    content = version_content(round.questionnaire_version)
    names = content.level_names
    report = {
        "round": round,
        "organisation": round.organisation,
        "snapshot": snapshot,
        "status": _status(round, snapshot),
        "figures": figures,
        "responses": figures.responses,
        "k": round.anonymity_threshold,
        "suppressed": figures.suppressed,
        "channels": _channels(round, snapshot),
        # The PDFs are rendered without a request, so without the context processors.
        "min_peers": comparison.MIN_PEERS,
        "min_for_change": margins.MIN_FOR_CHANGE,
        "level_bands": [
            (level, *scoring.level_band(level), names.get(level, "")) for level in range(1, 6)
        ],
        "dont_know_note": scoring.whole_points(100 * DONT_KNOW_NOTE),
    }
    if figures.suppressed:
        return report

    previous = comparison_round(round)
    previous_snapshot = current_snapshot(previous) if previous else None
    trend = None
    if previous_snapshot is not None:
        trend = comparison.compare_rounds(
            figures, snapshot_round_figures(previous, previous_snapshot)
        )
    peers = comparison.PeerBenchmark.from_dict(snapshot.peers) if snapshot.peers else None
    shown_comments = snapshot_comments(round, snapshot.number) if comments else {}
    theme_trends = {t.theme: t for t in trend.themes} if trend else {}
    question_trends = {(q.theme, q.question): q for q in trend.questions} if trend else {}
    peer_themes = {t.theme: t for t in peers.themes} if peers else {}
    bank = {theme.key: theme for theme in content.themes}

    themes = []
    for index, theme in enumerate(figures.themes, start=1):
        source = bank.get(theme.theme)
        texts = {q.concept_key: q for q in source.questions.all()} if source else {}
        recommendations = {r.level: r.text for r in source.recommendations.all()} if source else {}
        questions = []
        for q in theme.questions:
            question = texts.get(q.question)
            shown = shown_comments.get(question.pk, []) if question else []
            questions.append(
                QuestionRow(
                    key=q.question,
                    text=question.text if question else q.question,
                    figures=q,
                    trend=question_trends.get((theme.theme, q.question)),
                    comments=[c.text for c in shown[:COMMENTS_PER_QUESTION]],
                    comment_count=len(shown),
                )
            )
        score = Score.of(theme.estimate, names)
        themes.append(
            ThemeRow(
                key=theme.theme,
                title=source.title if source else theme.theme,
                figures=theme,
                score=score,
                questions=questions,
                trend=theme_trends.get(theme.theme),
                peer=peer_themes.get(theme.theme),
                # The recommendation written for the theme's named level: how to reach the
                # next level, or at level 5 how to sustain it.
                recommendation=recommendations.get(score.level, "") if score else "",
                next_level=names.get(score.level + 1, "") if score else "",
                chart_id=f"distribution-{index}",
            )
        )
    by_key = {theme.key: theme for theme in themes}
    weakest = figures.weakest_theme
    report.update(
        {
            "previous": previous,
            "comparisons": comparison_rounds(round),
            "trend": trend,
            "overall_shift": Shift.of(trend.overall) if trend else None,
            "peers": peers,
            "peer_group": _peer_group(round.organisation, peers),
            "overall": Score.of(figures.overall_estimate, names),
            "weakest": by_key[weakest.theme] if weakest else None,
            "themes": themes,
            "priorities": [by_key[t.theme] for t in aggregates.priorities(figures)],
            "strengths": [by_key[t.theme] for t in aggregates.strengths(figures)],
            "level_names": [names.get(level, "") for level in range(1, 6)],
            "groups": _groups(round, figures, themes),
            "comment_count": sum(theme.comment_count for theme in themes),
            "comments_per_question": COMMENTS_PER_QUESTION,
        }
    )
    plans.add_plan(report)
    return report


def _peer_group(organisation, peers):
    if peers is None:
        return ""
    label = f"{organisation.get_function_display().lower()} organisations"
    if peers.group == comparison.PEERS_FUNCTION_AND_SIZE:
        return f"{label} with {organisation.get_size_band_display().lower()}"
    return label


def _groups(round, figures, themes):
    """The perception gap: shown groups' theme scores, and hidden groups with the reason."""
    shown = list(figures.visible_groups)
    rows = []
    for index, theme in enumerate(themes):
        scores = [points(group.themes[index].mean) for group in shown]
        present = [s for s in scores if s is not None]
        gap = max(present) - min(present) if len(present) >= 2 else None
        rows.append({"theme": theme, "scores": scores, "gap": gap})
    in_groups = sum(group.responses or 0 for group in shown)
    shown_keys = {group.group for group in shown}
    names = group_names(round)
    return {
        "breakdown": round.get_breakdown_display().lower(),
        "shown": [
            {"label": names.get(group.group, NOT_STATED), "responses": group.responses}
            for group in shown
        ],
        "overall_only": figures.responses - in_groups if shown else None,
        "rows": rows,
        # Every group not shown, whether it has no response or some: the list reads the same
        # whatever a small group's true count.
        "hidden": [label for key, label in names.items() if key not in shown_keys],
        "series": [
            palette.Series(
                names.get(group.group, NOT_STATED),
                tuple(row["scores"][i] for row in rows),
                palette.GROUP_COLOURS[i % len(palette.GROUP_COLOURS)],
            )
            for i, group in enumerate(shown)
        ],
    }
