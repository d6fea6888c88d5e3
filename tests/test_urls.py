"""Every URL pattern in the project, requested by five kinds of visitor.

The patterns come from walking the URL resolver, so a new URL fails `test_url` until it has
a line in EXPECTED (or, for the admin, falls under its prefix): access is decided on purpose,
never by accident. Path parameters are filled with real objects of organisation A.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import Membership, Response, StaffInvitation
from maturity.models import User
from tests.factories import ActionFactory, MembershipFactory, OrganisationFactory, RoundFactory

ROLES = ("anonymous", "other organisation's lead", "viewer", "lead", "staff")
# A redirect to the site's sign-in page or the admin's: LoginRequiredMiddleware sends anonymous
# visitors to the admin's own (admin views name it), and the admin sends signed-in people who
# are not staff there too.
LOGIN = "redirect to sign in"
ADMIN_LOGIN = "redirect to admin sign in"
# Either sign-in page: the admin's own views name theirs to LoginRequiredMiddleware, but the
# model admins' wrappers do not, so those send anonymous visitors to the site's.
SIGN_IN = "redirect to either sign in"
# Staff get past the admin's door: any answer but a redirect to sign in or a server error. A
# 403 is the admin refusing one action (adding a response, deleting a published version).
REACHED = "reached"

SIGNED_IN_ONLY = (LOGIN, 200, 200, 200, 200)
PUBLIC = (200, 200, 200, 200, 200)
MEMBERS = (LOGIN, 404, 200, 200, 404)  # any member of organisation A
LEADS = (LOGIN, 404, 404, 200, 404)  # leads of organisation A only
NO_SESSION = (403, 403, 403, 403, 403)  # respondent pages need a survey in the session
POST_ONLY = (LOGIN, 405, 405, 405, 405)

# URL name -> (path parameters, by the name of an object of organisation A; expected answer
# to a GET for each of ROLES).
EXPECTED = {
    "home": ({}, (200, 302, 302, 302, 302)),
    "accessibility": ({}, PUBLIC),
    "privacy": ({}, PUBLIC),
    "health": ({}, PUBLIC),
    "login": ({}, PUBLIC),
    "logout": ({}, (LOGIN, 405, 405, 405, 405)),  # POST only
    "password_change": ({}, SIGNED_IN_ONLY),
    "password_change_done": ({}, SIGNED_IN_ONLY),
    "password_reset": ({}, PUBLIC),
    "password_reset_done": ({}, PUBLIC),
    # A valid link: Django swaps the token for a marker in the session, then shows the form.
    "password_reset_confirm": ({"uidb64": "uidb64", "token": "reset_token"}, (302,) * 5),
    "password_reset_complete": ({}, PUBLIC),
    "assessments:open_link": ({"open_token": "open_token"}, PUBLIC),
    "assessments:resume": ({"token": "response_token"}, (302, 302, 302, 302, 302)),
    "assessments:tasks": ({}, NO_SESSION),
    "assessments:start": ({}, NO_SESSION),
    "assessments:about_you": ({}, NO_SESSION),
    "assessments:theme": ({"theme_key": "theme_key"}, NO_SESSION),
    "assessments:check": ({}, NO_SESSION),
    "assessments:submit": ({}, (405, 405, 405, 405, 405)),  # POST only
    "reports:confirmation": ({}, NO_SESSION),
    # A page with a button: following the link changes nothing.
    "assessments:stop_reminders": ({"stop_token": "stop_token"}, PUBLIC),
    # Public once a lead has published it after closing; the world's round is open.
    "reports:staff_summary": ({"open_token": "open_token"}, (404,) * 5),
    # Straight to the organisation when there is only one.
    "assessments:organisations": ({}, (LOGIN, 302, 302, 302, 200)),
    "assessments:organisation": ({"pk": "organisation"}, MEMBERS),
    "assessments:create_round": ({"pk": "organisation"}, LEADS),
    "assessments:round": ({"pk": "round"}, MEMBERS),
    "assessments:edit_round": ({"pk": "round"}, LEADS),
    "assessments:open_round": ({"pk": "round"}, LEADS),
    "assessments:close_round": ({"pk": "round"}, LEADS),
    "assessments:personal_links": ({"pk": "round"}, LEADS),
    "reports:round": ({"pk": "round"}, MEMBERS),
    "reports:board_pdf": ({"pk": "round"}, MEMBERS),
    "reports:full_pdf": ({"pk": "round"}, MEMBERS),
    "reports:figures_csv": ({"pk": "round"}, MEMBERS),
    # Leads only, once the round has closed (test_exports has the closed round).
    "reports:answers_csv": ({"pk": "round"}, (LOGIN, 404, 404, 404, 404)),
    "reports:method_json": ({"pk": "round"}, MEMBERS),
    "reports:theme": ({"pk": "round", "key": "theme_key"}, MEMBERS),
    "reports:comments": ({"pk": "round"}, MEMBERS),
    "reports:choose_comparison": ({"pk": "round"}, POST_ONLY),
    "reports:hide_comment": ({"pk": "round"}, POST_ONLY),
    "assessments:switch_open_link": ({"pk": "round"}, POST_ONLY),
    "assessments:access_log": ({"pk": "organisation"}, LEADS),
    "assessments:plan": ({"pk": "organisation"}, MEMBERS),
    "assessments:edit_target": ({"pk": "organisation", "key": "theme_key"}, LEADS),
    "assessments:edit_view": ({"pk": "organisation", "key": "theme_key"}, LEADS),
    "assessments:add_action": ({"pk": "organisation"}, LEADS),
    "assessments:edit_action": ({"pk": "organisation", "action_pk": "action"}, LEADS),
    "assessments:action_from_recommendation": ({"pk": "round"}, POST_ONLY),
    "reports:actions_csv": ({"pk": "organisation"}, MEMBERS),
    "assessments:staff": ({"pk": "round"}, LEADS),
    "assessments:reminders": ({"pk": "round"}, POST_ONLY),
    "assessments:staff_summary": ({"pk": "round"}, POST_ONLY),
    "nesting_server_data": ({}, (LOGIN, 403, 403, 403, 200)),
    "admin:index": ({}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    "admin:login": ({}, (200, 200, 200, 200, 302)),
    # The admin sends signed-in people without access to its index, not to sign in.
    "admin:logout": ({}, (ADMIN_LOGIN, 302, 302, 302, 405)),
    # Refused without the query parameters the admin's widgets send.
    "admin:autocomplete": ({}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403)),
}
# Every other pattern under ADMIN_URL: staff only. Parameters are placeholders; staff may get
# a 404 or a redirect for an object that does not exist, but never a sign-in page.
ADMIN = (SIGN_IN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REACHED)
ADMIN_PARAMETERS = {
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "pk": "1",
    "app_label": "assessments",
    "url": "no-such-page/",
}


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name or None) of every pattern, depth first, with the prefixes of includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner)
        else:
            yield route, f"{namespace}{pattern.name}" if pattern.name else None


PATTERNS = list(url_patterns())


def fill(route, parameters):
    """A concrete path for `route` (path() converters and re_path() groups alike)."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: parameters[m[1]], route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: parameters[m[1]], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def expectation(route, name):
    if name in EXPECTED:
        return EXPECTED[name]
    if route.startswith(settings.ADMIN_URL):
        return {}, ADMIN
    return None


def outcome(response):
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
    return response.status_code


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Organisation A's objects and a visitor of each role, with the session each signed-in
    visitor sends.

    Made once for the module, in a transaction rolled back afterwards (as test_pdf_accessibility
    does): each test still rolls its own writes back to a savepoint. Signing four people in
    afresh for each of the patterns was half the module's time.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        round = RoundFactory()
        version = round.questionnaire_version
        response = Response.objects.create(round=round, is_personal=True)
        invitation = StaffInvitation.objects.create(
            round=round,
            address="staff-member@example.org",
            response=Response.objects.create(round=round, is_personal=True),
        )
        organisation = round.organisation

        def member(name, **kwargs):
            user = User.objects.create(username=f"{name}@example.org", email=f"{name}@example.org")
            if kwargs:
                MembershipFactory(user=user, **kwargs)
            return user

        users = {
            "anonymous": None,
            "other organisation's lead": member("other", organisation=OrganisationFactory()),
            "viewer": member("viewer", organisation=organisation, role=Membership.Role.VIEWER),
            "lead": member("lead", organisation=organisation, role=Membership.Role.LEAD),
            "staff": User.objects.create(
                username="staff@example.org", is_staff=True, is_superuser=True
            ),
        }
        sessions = {}
        for role, user in users.items():
            if user:
                client = Client()
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        # Someone who never signs in here: signing in would make their reset token invalid.
        invited = member("invited")
        objects = {
            "organisation": str(organisation.pk),
            "round": str(round.pk),
            "action": str(ActionFactory(organisation=organisation).pk),
            "open_token": round.open_token,
            "response_token": response.token,
            "stop_token": invitation.stop_token,
            "theme_key": version.themes.first().key,
            "uidb64": urlsafe_base64_encode(force_bytes(invited.pk)),
            "reset_token": default_token_generator.make_token(invited),
        }
        with django_db_blocker.block():
            yield sessions, objects
        transaction.set_rollback(True)


@pytest.mark.parametrize("route, name", PATTERNS, ids=[name or route for route, name in PATTERNS])
def test_url(db, world, route, name):
    expected = expectation(route, name)
    if expected is None:
        pytest.fail(f"No expectation for {name or route!r}: add it to EXPECTED in {__file__}")
    parameters, statuses = expected
    sessions, objects = world
    values = {**ADMIN_PARAMETERS, **{key: objects[value] for key, value in parameters.items()}}
    path = fill(route, values)

    wrong = []
    for role, want in zip(ROLES, statuses, strict=True):
        client = Client()
        if role in sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
        got = outcome(client.get(path))
        if want == REACHED:
            ok = got not in (LOGIN, ADMIN_LOGIN) and got < 500
        elif want == SIGN_IN:
            ok = got in (LOGIN, ADMIN_LOGIN)
        else:
            ok = got == want
        if not ok:
            wrong.append(f"{role}: expected {want}, got {got}")
    assert not wrong, f"GET {path}\n" + "\n".join(wrong)


def test_every_expectation_names_a_url_that_exists():
    names = {name for _, name in PATTERNS}
    assert set(EXPECTED) - names == set()
