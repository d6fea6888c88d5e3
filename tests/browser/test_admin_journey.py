"""A site admin edits the question bank in the Django admin, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from maturity.models import Question, QuestionnaireVersion
from tests.factories import PASSWORD, UserFactory, published_version

pytestmark = pytest.mark.browser

NEW_TEXT = "How well do service teams and technology teams plan their work together?"


def test_admin_edits_a_question_in_a_new_draft_and_publishes_it(page):
    published = published_version()
    question = Question.objects.get(theme__questionnaire_version=published, order=1, theme__order=1)
    admin = UserFactory(username="admin@example.org", is_staff=True, is_superuser=True)

    page.goto("/admin/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Questionnaire versions").click()
    page.get_by_role("link", name=str(published)).click()
    # A published version is read-only: changes go into a new draft copied from it.
    page.get_by_role("button", name="Create a new draft from this version").click()
    expect(page.locator(".messagelist")).to_contain_text("as a draft copy of")
    draft = QuestionnaireVersion.objects.get(based_on=published)

    # The draft's first theme, where its questions are edited.
    page.locator("#themes-group").get_by_role("link", name="Change").first.click()
    text = page.get_by_role("textbox", name=re.compile(r"^Text")).first
    expect(text).to_have_value(question.text)
    text.fill(NEW_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"/admin/maturity/questionnaireversion/{draft.pk}/change/")
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Published {draft}")

    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == QuestionnaireVersion.Status.PUBLISHED
    assert published.status == QuestionnaireVersion.Status.RETIRED
    edited = Question.objects.get(
        theme__questionnaire_version=draft, concept_key=question.concept_key
    )
    assert edited.text == NEW_TEXT
    question.refresh_from_db()
    assert question.text != NEW_TEXT  # the published version never changed
