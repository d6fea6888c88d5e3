"""The question-bank editor's pages in the Django admin, and the data to show them.

`build_bank()` loads the bundled question bank as a published version and a draft copied
from it, as an editor finds the bank before changing it. `ADMIN_PAGE_TYPES` names each
admin page the browser tests visit with the steps that reach it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page
from playwright.sync_api import Response as Document

from maturity.models import QuestionnaireVersion, Theme, User
from maturity.versioning import clone_version, load_bank
from tests.browser.pages import sign_in
from tests.factories import UserFactory, default_bank


@dataclass
class Bank:
    base_url: str
    editor: User
    published: QuestionnaireVersion
    draft: QuestionnaireVersion
    theme: Theme  # the draft's theme with the most questions


def build_bank(base_url):
    published, _ = load_bank(default_bank(), publish=True)
    draft = clone_version(source=published)
    theme = max(draft.themes.all(), key=lambda theme: theme.questions.count())
    # No password: pages sign the editor in with a session (see tests.browser.pages.sign_in).
    editor = UserFactory(
        username="editor@example.org", is_staff=True, is_superuser=True, password=None
    )
    return Bank(base_url, editor, published, draft, theme)


def as_editor(page: Page, bank: Bank, path) -> Document:
    sign_in(page.context, bank.editor, bank.base_url)
    document = page.goto(path)
    page.wait_for_load_state("load")
    return document


def version_path(version):
    return f"/admin/maturity/questionnaireversion/{version.pk}/change/"


def theme_path(theme):
    return f"/admin/maturity/theme/{theme.pk}/change/"


ADMIN_PAGE_TYPES: dict[str, Callable[[Page, Bank], Document]] = {
    "admin-index": lambda page, bank: as_editor(page, bank, "/admin/"),
    "admin-draft-version": lambda page, bank: as_editor(page, bank, version_path(bank.draft)),
    "admin-published-version": lambda page, bank: as_editor(
        page, bank, version_path(bank.published)
    ),
    "admin-theme": lambda page, bank: as_editor(page, bank, theme_path(bank.theme)),
    "admin-questions": lambda page, bank: as_editor(page, bank, "/admin/maturity/question/"),
    "admin-question": lambda page, bank: as_editor(
        page, bank, f"/admin/maturity/question/{bank.theme.questions.first().pk}/change/"
    ),
    "admin-theme-preview": lambda page, bank: as_editor(
        page, bank, f"/admin/maturity/theme/{bank.theme.pk}/preview/"
    ),
}
