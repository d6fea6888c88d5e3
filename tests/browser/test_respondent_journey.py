"""A respondent's survey in Chromium: with the keyboard alone, and across two browsers."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Response
from maturity.versioning import load_bank
from tests.factories import OrganisationFactory, RoundFactory, default_bank

pytestmark = pytest.mark.browser

MOST_TAB_STOPS = 200


def tab_to(page, target, *, backwards=False):
    """Press Tab (Shift+Tab if `backwards`) until focus is on `target`, or on one of its
    elements if it matches several (the radios of one question)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_TAB_STOPS):
        page.keyboard.press(key)
        if target.evaluate_all("elements => elements.includes(document.activeElement)"):
            return
    pytest.fail(f"{key} never reaches {target}")


def press_and_wait(page, key):
    """Press `key` on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def radios(page, question):
    return page.locator(f'input[type="radio"][name="q-{question.pk}"]')


def comment_box(page, question):
    return page.locator(f"#id_comment-{question.pk}")


def test_respondent_completes_the_survey_with_the_keyboard_only(page):
    version, _ = load_bank(default_bank(), publish=True)
    themes = list(version.themes.prefetch_related("questions__options"))
    round = RoundFactory(
        questionnaire_version=version, organisation=OrganisationFactory(name="Northshire Council")
    )
    comment = "Developers sit with the service teams now."

    page.goto(f"/s/{round.open_token}/")
    tab_to(page, page.get_by_role("button", name="Start now"))
    press_and_wait(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which of these best describes your role?"
    )
    tab_to(page, page.locator('input[name="role_group"]'))
    page.keyboard.press("ArrowDown")  # from the first radio to the second, choosing it
    expect(page.get_by_label("Digital, IT or data")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save and continue"))
    press_and_wait(page, "Space")

    tab_to(page, page.get_by_role("link", name=themes[0].title))
    press_and_wait(page, "Enter")

    chosen = {}
    for position, theme in enumerate(themes, start=1):
        expect(page.get_by_text(f"Theme {position} of {len(themes)}")).to_be_visible()
        for number, question in enumerate(theme.questions.all()):
            tab_to(page, radios(page, question))  # focus lands on the first radio
            if number == 1 and question.allow_dont_know:
                page.keyboard.press("ArrowUp")  # round to the last: "Don't know"
                chosen[question.pk] = Answer.Kind.DONT_KNOW
                expect(radios(page, question).last).to_be_checked()
            else:
                level = 1 + (position + number) % 5
                for _ in range(level - 1):
                    page.keyboard.press("ArrowDown")
                if level == 1:
                    page.keyboard.press("Space")
                chosen[question.pk] = level
                expect(radios(page, question).nth(level - 1)).to_be_checked()
            if position == 1 and number == 0:
                tab_to(page, comment_box(page, question))
                page.keyboard.type(comment)
        tab_to(page, page.get_by_role("button", name="Save and continue"))
        press_and_wait(page, "Enter")

    # After the last theme, the task list, with every section done.
    expect(
        page.get_by_text(f"You have completed {len(themes)} of {len(themes)} themes")
    ).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Check your answers"))
    press_and_wait(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    # Each theme's answers in full are one keyboard press away, the comment with them.
    expect(page.get_by_text(f"Your comment: {comment}")).to_be_hidden()
    tab_to(page, page.locator("summary", has_text=f"Your answers in {themes[0].title}"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Your comment: {comment}")).to_be_visible()
    # The submit button is near the end of the page: backwards from the footer is shorter.
    tab_to(page, page.get_by_role("button", name="Submit answers"), backwards=True)
    press_and_wait(page, "Space")

    expect(page.get_by_role("heading", level=1)).to_have_text("Answers submitted")
    expect(page.locator("tbody tr")).to_have_count(len(themes))
    # plotly drew the respondent's own radar: one trace, their scores.
    expect(page.locator("[data-chart='respondent-radar'] .scatterlayer .trace")).to_have_count(1)

    response = Response.objects.get(round=round)
    assert response.is_submitted
    assert response.role_group == Response.RoleGroup.DIGITAL
    saved = {
        answer.question_id: answer.level or answer.kind
        for answer in response.answers.exclude(kind=Answer.Kind.UNANSWERED)
    }
    assert saved == chosen
    assert response.answers.filter(comment=comment).count() == 1


def test_respondent_resumes_from_their_personal_link_in_a_fresh_browser(new_context):
    round = RoundFactory()
    first, second = round.questionnaire_version.themes.prefetch_related("questions")
    questions = list(first.questions.all()) + list(second.questions.all())

    page = new_context().new_page()
    page.goto(f"/s/{round.open_token}/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Frontline service delivery").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name=first.title).click()
    for question in first.questions.all():
        radios(page, question).nth(3).check()  # level 4
    comment_box(page, questions[0]).fill("Half done, back tomorrow.")
    page.get_by_role("button", name="Save and continue").click()
    radios(page, questions[3]).nth(1).check()  # one question of the second theme, level 2
    page.get_by_role("button", name="Save and return to task list").click()
    resume_link = page.locator(".app-resume-link a").first.get_attribute("href")
    assert resume_link.endswith(f"/r/{Response.objects.get().token}/")
    page.context.close()

    # Another browser: no cookies, nothing but the link.
    page = new_context().new_page()
    page.goto(resume_link)
    # The token leaves the address bar at once; the session carries it from here.
    expect(page).to_have_url(re.compile(r"/survey/$"))
    expect(page.get_by_text("You have completed 1 of 2 themes")).to_be_visible()
    expect(page.locator("#task-2-status")).to_have_text("In progress")

    page.get_by_role("link", name=first.title).click()
    for question in first.questions.all():
        expect(radios(page, question).nth(3)).to_be_checked()
    expect(comment_box(page, questions[0])).to_have_value("Half done, back tomorrow.")
    page.get_by_role("button", name="Save and continue").click()
    expect(radios(page, questions[3]).nth(1)).to_be_checked()
    for question in questions[4:]:
        radios(page, question).nth(2).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Check your answers").click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers submitted")

    response = Response.objects.get()  # the one response, carried on in the second browser
    assert response.is_submitted
    assert response.role_group == Response.RoleGroup.FRONTLINE
    assert response.answers.count() == len(questions)
