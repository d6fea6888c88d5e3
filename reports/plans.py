"""The organisation's plan beside a round's figures: each theme's target and the distance to
it, the leadership's view beside the staff's score (the claim gap), how much of that view is
evidenced and current, the open and overdue actions, and what was done since the round the
report compares with.

Scores here are those the report shows (reports.report.Score, whole points and margins), so
every gap is worked out from figures as shown. A target level is reached at the lowest score
named that level (assessments.scoring.level_band): level 4 at 60, so that is where the radar
draws a target of level 4 and what "points to go" counts to.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from assessments import scoring
from assessments.models import Action, LeadershipView, Target
from maturity.versioning import version_content

# Open actions the board summary lists, soonest due first.
TOP_ACTIONS = 3
WITHIN, HIGHER, LOWER = "within", "higher", "lower"


def target_points(level):
    """The score at which a theme reaches `level`: the lowest score named that level."""
    return scoring.level_band(level)[0]


def points_to_go(level, score):
    """Whole points from the shown score to the target level; 0 once it is reached."""
    return max(0, target_points(level) - score.points)


@dataclass(frozen=True)
class ClaimGap:
    """The leadership's level against the staff's score, with the score's margin of error.

    `direction` says whether the leadership's band of scores lies above the staff's interval
    (score ± margin), below it, or overlaps it; `points` is the distance between the two when
    they do not overlap; `levels` is the leadership's level minus the staff score's level.
    """

    direction: str
    points: int
    levels: int

    @classmethod
    def of(cls, level, score):
        low, high = scoring.level_band(level)
        margin = score.margin or 0
        bottom, top = score.points - margin, score.points + margin
        levels = level - score.level
        if low > top:
            return cls(HIGHER, low - top, levels)
        if high < bottom:
            return cls(LOWER, bottom - high, levels)
        return cls(WITHIN, 0, levels)


@dataclass(frozen=True)
class TargetMove:
    before: Target | None
    after: Target


@dataclass
class ThemePlan:
    target: Target | None = None
    view: LeadershipView | None = None
    stale: bool = False
    recommendation_id: int | None = None
    done_since: list[Action] = field(default_factory=list)
    target_move: TargetMove | None = None
    score: Any = None  # the theme's reports.report.Score

    @property
    def target_points(self):
        return target_points(self.target.level) if self.target else None

    @property
    def to_go(self):
        if self.target is None or self.score is None:
            return None
        return points_to_go(self.target.level, self.score)

    @property
    def claim(self):
        if self.view is None or self.score is None:
            return None
        return ClaimGap.of(self.view.level, self.score)

    @property
    def current_evidence(self):
        return self.view is not None and self.view.evidenced and not self.stale


def end_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def report_until(round):
    """The last day the report's plan counts: the day the round closed, or today."""
    return round.closed_on if round.is_closed else timezone.localdate()


def latest(targets, until=None):
    """Each theme's target as it stood at the end of the day `until` (None: now), by key,
    from `targets` newest first."""
    cut = end_of(until) if until else None
    found = {}
    for target in targets:
        if cut is None or target.set_at <= cut:
            found.setdefault(target.theme_key, target)
    return found


def _moves(targets, since, until):
    before, after = latest(targets, since), latest(targets, until)
    return {
        key: TargetMove(before.get(key), target)
        for key, target in after.items()
        if key not in before
        or (before[key].level, before[key].target_on) != (target.level, target.target_on)
    }


def add_plan(report):
    """Put the plan into a report's context (reports.report.build_report): a `plan` on each
    theme row, and the plan's figures for the page and the board summary."""
    round, themes, previous = report["round"], report["themes"], report["previous"]
    organisation = round.organisation
    today = timezone.localdate()
    # Three queries, whatever the plan's size: every target as set, the views, the actions.
    history = list(organisation.targets.order_by("-set_at", "-id"))
    targets = latest(history)
    views = {v.theme_key: v for v in organisation.leadership_views.all()}
    actions = list(organisation.actions.all())
    # The bank's recommendations, read with the rest of the round's version (no query).
    recommendations = {
        (theme.key, r.level): r.pk
        for theme in version_content(round.questionnaire_version).themes
        for r in theme.recommendations.all()
    }
    until = report_until(round)
    since = previous.closed_on if previous else None
    moves = _moves(history, since, until) if since else {}
    titles = {theme.key: theme.title for theme in themes}
    for theme in themes:
        view = views.get(theme.key)
        theme.plan = ThemePlan(
            target=targets.get(theme.key),
            view=view,
            stale=view is not None and view.is_stale(today),
            recommendation_id=recommendations.get((theme.key, theme.score.level))
            if theme.score
            else None,
            done_since=[
                a
                for a in actions
                if a.theme_key == theme.key
                and a.completed_on
                and since is not None
                and since < a.completed_on <= until
            ],
            target_move=moves.get(theme.key),
            score=theme.score,
        )
    for action in actions:
        action.theme_title = titles.get(action.theme_key, action.theme_key)
        action.overdue = action.is_overdue(today)
    open_actions = [a for a in actions if a.is_open]
    report["plan"] = {
        "targets": sum(theme.plan.target is not None for theme in themes),
        "views": sum(theme.plan.view is not None for theme in themes),
        "evidenced": sum(theme.plan.current_evidence for theme in themes),
        "stale": sum(theme.plan.stale for theme in themes),
        "themes": len(themes),
        "no_view": sum(theme.plan.view is None for theme in themes),
        # Themes whose leadership view lies beyond the staff score's margin, either way.
        "claims": [t for t in themes if t.plan.claim and t.plan.claim.direction != WITHIN],
        "open_actions": open_actions,
        "top_actions": open_actions[:TOP_ACTIONS],
        "overdue": [a for a in open_actions if a.overdue],
        "done_since": sum(len(theme.plan.done_since) for theme in themes),
        "targets_moved": len(moves),
        "since": since,
        "until": until,
        "today": today,
    }


def plan_stamp(organisation):
    """What the plan part of a report depends on, for the PDF cache key: the last change to
    each of targets, views and actions and their counts, and today (views go stale and
    actions overdue as days pass)."""
    stamp = [timezone.localdate().isoformat()]
    for rows, changed in (
        (organisation.targets, "set_at"),
        (organisation.leadership_views, "updated_at"),
        (organisation.actions, "updated_at"),
    ):
        figures = rows.aggregate(last=Max(changed), count=Count("pk"))
        stamp += [str(figures["last"]), str(figures["count"])]
    return "/".join(stamp)
