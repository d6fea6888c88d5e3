"""What a round's report shows: its figures arranged for the page and the PDFs.

Every figure comes from `assessments.figures` (the cached round figures, the trend and the
peer benchmark); `build_report` only arranges them for display, rounded as
docs/methodology.md says, in a constant number of queries whatever the number of
responses. A round under its anonymity threshold gets its response count and nothing else.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Length, RowNumber

from assessments import aggregates, comparison, scoring
from assessments.figures import peer_benchmark, previous_round, response_rate, round_figures
from assessments.models import Answer, Response
from maturity.versioning import version_content
from reports import charts

# Comments shown per question: enough to give the flavour of what staff said, few enough
# that the page costs the same with 10 or 10,000 responses.
COMMENTS_PER_QUESTION = 5
# Comments and their choice are cached for one value of Round.submitted_count, and at most
# this long.
CACHE_SECONDS = 6 * 60 * 60
NOT_STATED = "Not stated"
HIDDEN_REASONS = {
    aggregates.TOO_FEW: "fewer than {k} responses",
    aggregates.COMPLEMENTARY: "hidden to protect another group",
    aggregates.NO_COMPARISON: "only one group could be shown",
}


def role_group_label(key):
    return dict(Response.RoleGroup.choices).get(key, NOT_STATED) if key else NOT_STATED


@dataclass(frozen=True)
class Score:
    """A score as shown: whole points, maturity level, the level's name, the EU band."""

    points: int
    level: float
    number: int
    name: str
    band: str

    @classmethod
    def of(cls, value, names):
        if value is None:
            return None
        number = scoring.level_number(value)
        return cls(
            points=scoring.whole_points(value),
            level=scoring.maturity_level(value),
            number=number,
            name=names.get(number, ""),
            band=scoring.eu_band(value),
        )


def points(value):
    """A score or change in whole points, or None."""
    return None if value is None else scoring.whole_points(value)


@dataclass(frozen=True)
class Shift:
    """A change since the previous round as shown: its direction and whole points."""

    direction: str
    points: int

    @classmethod
    def of(cls, change):
        if change is None or not change.comparable:
            return None
        return cls(change.direction, scoring.whole_points(change.delta))

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
    svg: str = ""  # that chart, for the PDFs

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
        return points(self.figures.iqr)

    @property
    def knowledge_gap(self):
        share = self.figures.knowledge_gap
        return None if share is None else scoring.whole_points(100 * share)

    @property
    def shift(self):
        return Shift.of(self.trend)

    @property
    def previous_points(self):
        return points(self.trend.previous) if self.trend else None

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
        """Where the theme mean sits against the peers' middle half: never a rank."""
        peer, mean = self.peer, self.figures.mean
        if peer is None or peer.q1 is None or peer.q3 is None or mean is None:
            return ""
        if mean < peer.q1:
            return "Below the middle half"
        return "Above the middle half" if mean > peer.q3 else "Within the middle half"

    @property
    def comments(self):
        return [q for q in self.questions if q.comments]

    @property
    def comment_count(self):
        return sum(q.comment_count for q in self.questions)


def _bank(version):
    """Titles, question texts, level names and recommendations, from the process's shared copy
    of the version (maturity.versioning), so the report reads none of them from the database."""
    content = version_content(version)
    questions = {
        (theme.key, question.concept_key): (question.pk, question.text)
        for theme in content.themes
        for question in theme.questions.all()
    }
    recommendations = {
        (theme.key, rec.level): rec.text
        for theme in content.themes
        for rec in theme.recommendations.all()
    }
    titles = {theme.key: theme.title for theme in content.themes}
    return titles, questions, content.level_names, recommendations


def _comments(round):
    """Up to COMMENTS_PER_QUESTION comments per question, with each question's total:
    question id -> (total, [comments]). The database picks the rows, so the page never
    reads every comment of a large round; the choice is cached until the next submission,
    as picking still reads every comment (80 ms at 10,000 responses).

    The longest comments are shown, as they usually say most; nothing about who wrote them,
    or when, is read.
    """
    key = f"reports-comments:{round.pk}:{round.submitted_count}"
    comments = cache.get(key)
    if comments is not None:
        return comments
    per_question = {"partition_by": [F("question_id")]}
    rows = (
        Answer.objects.filter(response__round=round, response__submitted_at__isnull=False)
        .exclude(comment="")
        .annotate(
            rank=Window(
                RowNumber(), order_by=[Length("comment").desc(), "comment"], **per_question
            ),
            total=Window(Count("pk"), **per_question),
        )
        .filter(rank__lte=COMMENTS_PER_QUESTION)
        .order_by("question_id", "rank")
        .values_list("question_id", "comment", "total")
    )
    comments = {}
    for question_id, comment, total in rows:
        comments.setdefault(question_id, (total, []))[1].append(comment)
    cache.set(key, comments, CACHE_SECONDS)
    return comments


def _response_rate(round, responses):
    """Personal links issued and submitted, and responses through the open link; None when
    no personal link was issued."""
    counts = Response.objects.filter(round=round, is_personal=True).aggregate(
        issued=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
    )
    counts["percent"] = response_rate(**counts)
    if counts["percent"] is None:
        return None
    counts["open_link"] = responses - counts["submitted"]
    return counts


def build_report(round):
    """Everything the page and the PDFs show, as a template context."""
    figures = round_figures(round)
    report = {
        "round": round,
        "organisation": round.organisation,
        "figures": figures,
        "responses": figures.responses,
        "k": figures.anonymity_threshold,
        "suppressed": figures.suppressed,
        # The PDFs are rendered without a request, so without the context processors.
        "min_peers": comparison.MIN_PEERS,
    }
    if figures.suppressed:
        return report

    theme_meta, question_meta, names, recommendations = _bank(round.questionnaire_version)
    previous = previous_round(round)
    trend = comparison.compare_rounds(figures, round_figures(previous)) if previous else None
    peers = peer_benchmark(round)
    comments = _comments(round)
    theme_trends = {t.theme: t for t in trend.themes} if trend else {}
    question_trends = {(q.theme, q.question): q for q in trend.questions} if trend else {}
    peer_themes = {t.theme: t for t in peers.themes} if peers else {}

    themes = []
    for index, theme in enumerate(figures.themes, start=1):
        title = theme_meta.get(theme.theme, theme.theme)
        questions = []
        for q in theme.questions:
            pk, text = question_meta.get((theme.theme, q.question), (None, q.question))
            total, shown = comments.get(pk, (0, []))
            questions.append(
                QuestionRow(
                    key=q.question,
                    text=text,
                    figures=q,
                    trend=question_trends.get((theme.theme, q.question)),
                    comments=shown,
                    comment_count=total,
                )
            )
        score = Score.of(theme.mean, names)
        themes.append(
            ThemeRow(
                key=theme.theme,
                title=title,
                figures=theme,
                score=score,
                questions=questions,
                trend=theme_trends.get(theme.theme),
                peer=peer_themes.get(theme.theme),
                # The recommendation written for the theme's named level: how to reach the
                # next level, or at level 5 how to sustain it.
                recommendation=recommendations.get((theme.theme, score.number), "")
                if score
                else "",
                next_level=names.get(score.number + 1, "") if score else "",
                chart_id=f"distribution-{index}",
            )
        )
    by_key = {theme.key: theme for theme in themes}
    weakest = figures.weakest_theme
    report.update(
        {
            "previous": previous,
            "trend": trend,
            "peers": peers,
            "peer_group": _peer_group(round.organisation, peers),
            "overall": Score.of(figures.overall, names),
            "weakest": by_key[weakest.theme] if weakest else None,
            "rate": _response_rate(round, figures.responses),
            "themes": themes,
            "priorities": [by_key[t.theme] for t in aggregates.priorities(figures)],
            "strengths": [by_key[t.theme] for t in aggregates.strengths(figures)],
            "level_names": [names.get(level, "") for level in range(1, 6)],
            "groups": _groups(figures, themes),
            "comment_count": sum(theme.comment_count for theme in themes),
            "comments_per_question": COMMENTS_PER_QUESTION,
        }
    )
    return report


def _peer_group(organisation, peers):
    if peers is None:
        return ""
    label = f"{organisation.get_function_display().lower()} organisations"
    if peers.group == comparison.PEERS_FUNCTION_AND_SIZE:
        return f"{label} with {organisation.get_size_band_display().lower()}"
    return label


def _groups(figures, themes):
    """The perception gap: shown groups' theme scores, and hidden groups with the reason."""
    shown = list(figures.visible_groups)
    rows = []
    for index, theme in enumerate(themes):
        scores = [points(group.themes[index].mean) for group in shown]
        present = [s for s in scores if s is not None]
        gap = max(present) - min(present) if len(present) >= 2 else None
        rows.append({"theme": theme, "scores": scores, "gap": gap})
    k = figures.anonymity_threshold
    return {
        "shown": [
            {"label": role_group_label(g.role_group), "responses": g.responses} for g in shown
        ],
        "rows": rows,
        "hidden": [
            {
                "label": role_group_label(g.role_group),
                "reason": HIDDEN_REASONS[g.hidden].format(k=k),
            }
            for g in figures.groups
            if g.hidden
        ],
        "series": [
            charts.Series(
                role_group_label(group.role_group),
                tuple(row["scores"][i] for row in rows),
                charts.GROUP_COLOURS[i % len(charts.GROUP_COLOURS)],
            )
            for i, group in enumerate(shown)
        ],
    }
