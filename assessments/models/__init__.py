"""Organisations and their units and members; rounds and the snapshots of figures they
publish; the responses staff give and their answers; the access log; the organisation's
plan (targets, the leadership's view with its evidence, actions).

Respondents have no accounts: a response is reached only through its random token, which
is never a primary key and never stays in a URL longer than one redirect.
"""

from assessments.models.answers import COMMENT_MAX_LENGTH, Answer, Response
from assessments.models.organisations import AccessLog, Membership, Organisation, Unit
from assessments.models.outreach import Reminder, StaffEmail, StaffInvitation, StaffOutreach
from assessments.models.plans import (
    Action,
    LeadershipView,
    Target,
    create_action,
    plan_themes,
    plan_version,
    save_leadership_view,
    set_target,
    update_action,
)
from assessments.models.rounds import (
    MIN_ANONYMITY_THRESHOLD,
    Round,
    Snapshot,
    check_dates,
    new_token,
)

__all__ = [
    "COMMENT_MAX_LENGTH",
    "MIN_ANONYMITY_THRESHOLD",
    "AccessLog",
    "Action",
    "Answer",
    "LeadershipView",
    "Membership",
    "Organisation",
    "Reminder",
    "Response",
    "Round",
    "Snapshot",
    "StaffEmail",
    "StaffInvitation",
    "StaffOutreach",
    "Target",
    "Unit",
    "check_dates",
    "create_action",
    "new_token",
    "plan_themes",
    "plan_version",
    "save_leadership_view",
    "set_target",
    "update_action",
]
