"""The question-bank editor's pages in Chromium: WCAG 2.2 A and AA by axe-core, the
keyboard's way to a level descriptor, and the clicks it takes to change one.

Screenshots of each admin page at 1280 pixels wide are saved to artefacts/screenshots/.
"""

import pytest
from playwright.sync_api import expect

from maturity.forms import quoted
from maturity.models import AnswerOption
from tests.browser.admin_pages import ADMIN_PAGE_TYPES, as_editor, build_bank, version_path
from tests.browser.pages import screenshot
from tests.browser.test_accessibility import WCAG_AA, axe, describe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(live_server):
    return build_bank(live_server.url)


@pytest.mark.parametrize("name", ADMIN_PAGE_TYPES)
def test_admin_page_has_no_wcag_a_or_aa_violations(new_context, bank, name):
    found = []
    for width, height in [(1280, 800), (320, 640)]:
        page = new_context(viewport={"width": width, "height": height}).new_page()
        ADMIN_PAGE_TYPES[name](page, bank)
        results = axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
        )
        if violations := results.response["violations"]:
            found.append(describe_violations(f"{name} page at {width} pixels wide", violations))
        if width == 1280:
            screenshot(page, f"{name}-1280")
    assert not found, "\n".join(found)


# The focused element, whether it draws a focus ring of at least 2 pixels that it does not
# draw unfocused, and whether it is a level descriptor.
FOCUS = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) {
    return null;
  }
  const ring = () => {
    const style = getComputedStyle(element);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  };
  const focused = ring();
  element.blur();
  const unfocused = ring();
  element.focus();
  return {
    element: `<${element.tagName.toLowerCase()} name=${element.name || ""}>`
      + ` ${(element.getAttribute("aria-label") || element.innerText || "").slice(0, 60)}`,
    visible: focused && !unfocused,
    descriptor: (element.name || "").endsWith("-descriptor"),
  };
}
"""
# The page's header, breadcrumbs, tools and the theme's own five fields come first; then
# the first question's fields, its folded guidance, and its first option's level. Before
# the editor's pages lost the admin's navigation sidebar it took 57 presses.
MOST_TABS_TO_A_DESCRIPTOR = 30


def test_admin_theme_page_reaches_a_descriptor_by_keyboard_with_focus_shown(page, bank):
    as_editor(page, bank, f"/admin/maturity/theme/{bank.theme.pk}/change/")
    stops = []
    for _ in range(MOST_TABS_TO_A_DESCRIPTOR):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS))
        if stops[-1]["descriptor"]:
            break
    else:
        pytest.fail(f"No descriptor in the first {MOST_TABS_TO_A_DESCRIPTOR} Tab stops")
    hidden = [stop["element"] for stop in stops if not stop["visible"]]
    assert not hidden, "Focus is not visible at:\n" + "\n".join(hidden)


def test_admin_changes_a_draft_descriptor_in_four_clicks_from_its_version(page, bank):
    question = bank.theme.questions.first()
    new_descriptor = "Teams talk to users every week. What they learn changes the service."
    as_editor(page, bank, version_path(bank.draft))
    clicks = []

    def click(locator):
        clicks.append(locator)
        locator.click()

    click(
        page.locator("#themes-group tr", has_text=bank.theme.title).get_by_role(
            "link", name="Change"
        )
    )
    click(
        page.get_by_role(
            "textbox", name=f"Descriptor for level 3 of question {quoted(question.text)}"
        )
    )
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(new_descriptor)
    click(page.get_by_role("button", name="Save", exact=True))

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert page.url.endswith(version_path(bank.draft))
    assert len(clicks) <= 4
    assert AnswerOption.objects.get(question=question, level=3).descriptor == new_descriptor
