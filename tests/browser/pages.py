"""Every page type of the service, and the data to show each as its users would see it.

`build_site()` makes an organisation as a lead would find it half-way through its second
round: the real question bank, a closed baseline round, a current round with answers from
three staff groups, five peer organisations for the benchmark, and respondents at each stage
of the survey. `PAGE_TYPES` names each page type with the steps that reach it in a browser;
`open_page()` takes them and returns the page and the document as the server sent it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Response as Document

from assessments.models import (
    Action,
    Answer,
    Membership,
    Organisation,
    Response,
    Round,
    StaffInvitation,
    StaffOutreach,
)
from assessments.responses import (
    AnswerInput,
    save_answers,
    save_role_group,
    start_response,
    submit_response,
)
from maturity.models import Theme, User
from maturity.versioning import load_bank
from tests.factories import (
    ActionFactory,
    LeadershipViewFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    TargetFactory,
    closed_round,
    days,
    default_bank,
    submit_responses,
)

SCREENSHOTS = Path(settings.BASE_DIR) / "artefacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
G = Response.RoleGroup

# How each theme of the bank scores against the organisation's typical level, so the
# charts have a shape; and how far one respondent strays from their group's typical level.
THEME_OFFSETS = [0.4, -0.6, 0.2, -0.2, 0.8, -1.0, 0.0, 0.5, -0.4]
RESPONDENT_OFFSETS = [0.0, 0.6, -0.6, 1.2, -1.0, 0.3, -0.3, 0.9]


@dataclass
class Site:
    base_url: str
    lead: User
    organisation: Organisation
    themes: list[Theme]
    current: Round  # open, with a report
    baseline: Round  # closed: its links show the closed page
    pilot: Round  # closed with too few answers for figures
    new: Response  # started, nothing answered yet
    in_progress: Response  # role given, the first theme answered, half the second
    submitted: Response
    action: Action  # one of the organisation's plan's


def level_answers(theme, level):
    """Every question of `theme` answered at `level`, as save_answers takes them."""
    return {
        question.pk: AnswerInput(str(question.options.get(level=level).pk))
        for question in theme.questions.all()
    }


def submit_group(round, themes, *, count, typical, role_group=G.DIGITAL):
    """`count` submitted responses from one staff group whose answers centre on `typical`."""
    levels = [
        {
            theme.key: min(5, max(1, int(typical + offset + RESPONDENT_OFFSETS[n % 8] + 0.5)))
            for theme, offset in zip(themes, THEME_OFFSETS, strict=False)
        }
        for n in range(count)
    ]
    submit_responses(round, count, levels=levels, role_group=role_group)


def build_site(base_url):
    version, _ = load_bank(default_bank(), publish=True)
    themes = list(version.themes.prefetch_related("questions__options"))
    function = Organisation.Function.GENERAL_PUBLIC_SERVICES
    organisation = OrganisationFactory(name="Northshire County Council", function=function)
    # No password: pages sign the lead in with a session (see sign_in), and hashing one
    # would take longer than the rest of this function.
    lead = MembershipFactory(
        organisation=organisation, user__username="lead@northshire.example", user__password=None
    ).user
    # A second organisation, so that the lead's list of organisations has two.
    MembershipFactory(
        user=lead,
        organisation=OrganisationFactory(name="Northshire Fire and Rescue Service"),
        role=Membership.Role.VIEWER,
    )

    pilot = closed_round(organisation, version, title="Pilot with the digital team", days_ago=400)
    submit_group(pilot, themes, count=3, typical=2.5)
    baseline = closed_round(organisation, version, title="Baseline assessment", days_ago=168)
    submit_group(baseline, themes, count=6, typical=2.8)
    submit_group(baseline, themes, count=6, typical=2.2, role_group=G.FRONTLINE)
    current = RoundFactory(
        organisation=organisation, questionnaire_version=version, title="Six-month follow-up"
    )
    submit_group(current, themes, count=8, typical=3.5)
    submit_group(current, themes, count=8, typical=2.5, role_group=G.FRONTLINE)
    submit_group(current, themes, count=6, typical=3.0, role_group=G.SENIOR_LEADERSHIP)
    comments = [
        "Our service teams now include developers, but budgets are still set by IT.",
        "We release small changes every week on the website, less often elsewhere.",
        "Nobody owns the data about residents end to end.",
    ]
    for answer, comment in zip(
        Answer.objects.filter(response__round=current).order_by("pk")[::40], comments, strict=False
    ):
        answer.comment = comment
        answer.save(update_fields=["comment"])
    for n, typical in enumerate([2.6, 3.0, 3.3, 2.9, 3.6]):
        peer = OrganisationFactory(name=f"Peer District Council {n + 1}", function=function)
        submit_group(
            closed_round(peer, version, title="Digital maturity", days_ago=90),
            themes,
            count=5,
            typical=typical,
        )

    new = start_response(round=current)
    in_progress = start_response(round=current)
    save_role_group(response=in_progress, role_group=G.DIGITAL)
    save_answers(response=in_progress, theme=themes[0], answers=level_answers(themes[0], 3))
    half = dict(list(level_answers(themes[1], 2).items())[: themes[1].questions.count() // 2])
    save_answers(response=in_progress, theme=themes[1], answers=half)
    submitted = start_response(round=current)
    save_role_group(response=submitted, role_group=G.CORPORATE)
    for n, theme in enumerate(themes):
        save_answers(response=submitted, theme=theme, answers=level_answers(theme, 1 + n % 5))
    submit_response(response=submitted)
    # The plan: a target, a leadership view past its review date, an overdue action.
    TargetFactory(organisation=organisation, theme_key=themes[0].key, level=3)
    LeadershipViewFactory(
        organisation=organisation,
        theme_key=themes[1].key,
        links="https://intranet.northshire.example/board",
        agreed_on=days(-300),
        review_by=days(-10),
    )
    action = ActionFactory(organisation=organisation, theme_key=themes[1].key, due_on=days(-5))
    return Site(
        base_url=base_url,
        lead=lead,
        organisation=organisation,
        themes=themes,
        current=current,
        baseline=baseline,
        pilot=pilot,
        new=new,
        in_progress=in_progress,
        submitted=submitted,
        action=action,
    )


def sign_in(context: BrowserContext, user, base_url):
    """Give the browser context a signed-in session for `user`, without the login form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


def submit(page: Page, button) -> Document:
    """Press a form's button and return the page the server answers with."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def resume(page: Page, response) -> Document:
    """Open a respondent's personal link, as they would from their email."""
    return page.goto(f"/r/{response.token}/")


def as_lead(page: Page, site: Site, path) -> Document:
    sign_in(page.context, site.lead, site.base_url)
    return page.goto(path)


def theme_path(theme):
    return f"/survey/themes/{theme.key}/"


PAGE_TYPES: dict[str, Callable[[Page, Site], Document]] = {}


def page_type(name):
    def register(reach):
        PAGE_TYPES[name] = reach
        return reach

    return register


# Public pages.


@page_type("home")
def home_page(page, site):
    return page.goto("/")


@page_type("accessibility-statement")
def accessibility_statement_page(page, site):
    return page.goto("/accessibility/")


@page_type("privacy")
def privacy_page(page, site):
    return page.goto("/privacy/")


@page_type("not-found")
def not_found_page(page, site):
    return page.goto("/no-such-page/")


@page_type("bad-request")
def bad_request_page(page, site):
    # Django answers 400 with 400.html to a request it refuses as suspicious, such as one
    # with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS.
    fields = "&".join(f"field{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    return page.goto(f"/accounts/login/?{fields}")


# Signing in.


@page_type("sign-in")
def sign_in_page(page, site):
    return page.goto("/accounts/login/")


@page_type("sign-in-with-errors")
def sign_in_with_errors_page(page, site):
    page.goto("/accounts/login/")
    return submit(page, "Sign in")


@page_type("password-reset")
def password_reset_page(page, site):
    return page.goto("/accounts/password/reset/")


@page_type("password-reset-sent")
def password_reset_sent_page(page, site):
    return page.goto("/accounts/password/reset/sent/")


@page_type("password-reset-new-password")
def password_reset_new_password_page(page, site):
    uid = urlsafe_base64_encode(force_bytes(site.lead.pk))
    token = default_token_generator.make_token(site.lead)
    return page.goto(f"/accounts/password/reset/{uid}/{token}/")


@page_type("password-reset-link-expired")
def password_reset_link_expired_page(page, site):
    uid = urlsafe_base64_encode(force_bytes(site.lead.pk))
    return page.goto(f"/accounts/password/reset/{uid}/not-a-valid-token/")


@page_type("password-reset-complete")
def password_reset_complete_page(page, site):
    return page.goto("/accounts/password/reset/complete/")


# The respondent's survey.


@page_type("start")
def start_page(page, site):
    return page.goto(f"/s/{site.current.open_token}/")


@page_type("about-you")
def about_you_page(page, site):
    resume(page, site.new)
    return page.goto("/survey/about-you/")


@page_type("task-list")
def task_list_page(page, site):
    return resume(page, site.in_progress)


@page_type("theme")
def theme_page(page, site):
    resume(page, site.in_progress)
    return page.goto(theme_path(site.themes[1]))


@page_type("theme-with-errors")
def theme_with_errors_page(page, site):
    # What "Submit" with questions unanswered leads to.
    resume(page, site.in_progress)
    return page.goto(theme_path(site.themes[1]) + "?return=check&validate=1")


@page_type("check-answers")
def check_answers_page(page, site):
    resume(page, site.in_progress)
    return page.goto("/survey/check/")


@page_type("confirmation")
def confirmation_page(page, site):
    return resume(page, site.submitted)


@page_type("answers-not-saved")
def answers_not_saved_page(page, site):
    # The 400 page for a form that does not match its page, e.g. one changed in the browser.
    resume(page, site.in_progress)
    page.goto(theme_path(site.themes[1]))
    page.locator("form[method=post]").evaluate(
        "form => form.insertAdjacentHTML('beforeend', '<input type=hidden name=extra value=1>')"
    )
    return submit(page, "Save and continue")


@page_type("closed-round")
def closed_round_page(page, site):
    return page.goto(f"/s/{site.baseline.open_token}/")


@page_type("link-not-valid")
def link_not_valid_page(page, site):
    return page.goto("/r/not-a-real-token/")


@page_type("survey-without-link")
def survey_without_link_page(page, site):
    return page.goto("/survey/")


@page_type("too-many-requests")
def too_many_requests_page(page, site):
    with override_settings(TOKEN_RATE_LIMIT=0):
        return page.goto(f"/s/{site.current.open_token}/")


# An organisation lead's pages.


@page_type("organisations")
def organisations_page(page, site):
    return as_lead(page, site, "/organisations/")


@page_type("organisation")
def organisation_page(page, site):
    return as_lead(page, site, f"/organisations/{site.organisation.pk}/")


@page_type("create-round")
def create_round_page(page, site):
    return as_lead(page, site, f"/organisations/{site.organisation.pk}/rounds/new/")


@page_type("create-round-with-errors")
def create_round_with_errors_page(page, site):
    as_lead(page, site, f"/organisations/{site.organisation.pk}/rounds/new/")
    page.get_by_label("Title").fill("")
    page.get_by_role("group", name="Closing date").get_by_label("Month").fill("13")
    return submit(page, "Create round")


@page_type("round")
def round_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/")


@page_type("change-round")
def change_round_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/edit/")


@page_type("close-round")
def close_round_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/close/")


@page_type("personal-links")
def personal_links_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/personal-links/")


@page_type("report")
def report_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/report/")


@page_type("report-too-few-responses")
def report_too_few_responses_page(page, site):
    return as_lead(page, site, f"/rounds/{site.pilot.pk}/report/")


# The organisation's plan.


@page_type("plan")
def plan_page(page, site):
    return as_lead(page, site, f"/organisations/{site.organisation.pk}/plan/")


@page_type("set-target")
def set_target_page(page, site):
    return as_lead(
        page,
        site,
        f"/organisations/{site.organisation.pk}/plan/themes/{site.themes[0].key}/target/",
    )


@page_type("set-target-with-errors")
def set_target_with_errors_page(page, site):
    set_target_page(page, site)
    page.get_by_role("group", name="Target date").get_by_label("Year").fill("2001")
    return submit(page, "Save the target")


@page_type("leadership-view")
def leadership_view_page(page, site):
    return as_lead(
        page, site, f"/organisations/{site.organisation.pk}/plan/themes/{site.themes[1].key}/view/"
    )


@page_type("leadership-view-with-errors")
def leadership_view_with_errors_page(page, site):
    leadership_view_page(page, site)
    page.get_by_label("Links to the evidence (optional)").fill("javascript:alert(1)")
    page.get_by_label("Who agreed it").fill("")
    return submit(page, "Save the view")


@page_type("add-action")
def add_action_page(page, site):
    return as_lead(page, site, f"/organisations/{site.organisation.pk}/plan/actions/new/")


@page_type("change-action-with-errors")
def change_action_with_errors_page(page, site):
    as_lead(page, site, site.action.get_absolute_url())
    page.get_by_label("What will be done").fill("")
    return submit(page, "Save changes")


# Reaching staff: invitations, reminders, the staff summary.


@page_type("invite-staff")
def invite_staff_page(page, site):
    return as_lead(page, site, f"/rounds/{site.current.pk}/staff/")


@page_type("invite-staff-with-errors")
def invite_staff_with_errors_page(page, site):
    as_lead(page, site, f"/rounds/{site.current.pk}/staff/")
    page.get_by_label("Paste email addresses").fill("ann@example.gov.uk\nnot an address")
    return submit(page, "Check the list")


@page_type("check-staff-list")
def check_staff_list_page(page, site):
    as_lead(page, site, f"/rounds/{site.current.pk}/staff/")
    page.get_by_label("Paste email addresses").fill("ann@example.gov.uk\nbob@example.gov.uk")
    return submit(page, "Check the list")


def _invitation(round):
    response = Response.objects.create(round=round, is_personal=True)
    return StaffInvitation.objects.create(
        round=round, address=f"staff{response.pk}@example.gov.uk", response=response
    )


@page_type("stop-reminders")
def stop_reminders_page(page, site):
    return page.goto(f"/stop-reminders/{_invitation(site.current).stop_token}/")


@page_type("reminders-stopped")
def reminders_stopped_page(page, site):
    page.goto(f"/stop-reminders/{_invitation(site.current).stop_token}/")
    return submit(page, "Stop reminding me")


@page_type("stop-reminders-closed-round")
def stop_reminders_closed_round_page(page, site):
    return page.goto(f"/stop-reminders/{_invitation(site.baseline).stop_token}/")


@page_type("share-results-with-staff")
def share_results_with_staff_page(page, site):
    return as_lead(page, site, f"/rounds/{site.baseline.pk}/staff/")


@page_type("staff-summary")
def staff_summary_page(page, site):
    StaffOutreach.objects.update_or_create(
        round=site.baseline, defaults={"summary": StaffOutreach.Summary.PUBLISHED}
    )
    return page.goto(f"/s/{site.baseline.open_token}/results/")


def open_page(context: BrowserContext, site: Site, name) -> tuple[Page, Document]:
    """Open page type `name` in a new tab, with its charts drawn.

    Fails if the page's scripts raise an error, if the browser refuses anything under the
    Content-Security-Policy, or if a file the page uses is missing.
    """
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        # The browser logs a 4xx document as a failed load too: those are checked below.
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(f"console: {message.text}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.request.resource_type != "document"
            and problems.append(f"{response.status} for {response.url}")
        ),
    )
    document = PAGE_TYPES[name](page, site)
    # Charts are drawn by report-charts.js after the page loads; one hidden at this width
    # (the radar on a narrow screen) is drawn only when it is shown.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')]"
        ".every(chart => chart.offsetParent === null || chart.querySelector('.main-svg'))"
    )
    page.wait_for_load_state("load")
    assert not problems, f"The {name} page:\n" + "\n".join(problems)
    return page, document


def screenshot(page: Page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
