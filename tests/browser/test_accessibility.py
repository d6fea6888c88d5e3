"""Every page type against WCAG 2.2 A and AA in Chromium: axe-core's rules, then what axe
cannot judge alone: titles, visible keyboard focus, and reflow at 320 pixels and 200% zoom.

Screenshots of every page type, at 1280 and 320 pixels wide, are saved to
artefacts/screenshots/ by the reflow test, which draws each page at both widths anyway.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.browser.pages import DESKTOP, PAGE_TYPES, open_page, screenshot

pytestmark = pytest.mark.browser

# axe-core's tags for the WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
axe = Axe()


def describe_violations(where, violations):
    lines = [f"{len(violations)} axe violation(s) on the {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
            f" {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            lines.append("       " + node["failureSummary"].replace("\n", "\n       "))
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_has_no_wcag_a_or_aa_violations(new_context, site, name):
    """At desktop width, and at 320 pixels, where links stack and tables and charts scroll
    sideways."""
    found = []
    for width, height in [(1280, 800), (320, 640)]:
        context = new_context(viewport={"width": width, "height": height})
        page, _ = open_page(context, site, name)
        results = axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
        )
        if violations := results.response["violations"]:
            found.append(describe_violations(f"{name} page at {width} pixels wide", violations))
    assert not found, "\n".join(found)


def test_every_page_type_has_a_unique_title_naming_its_page(new_context, site):
    """GOV.UK's pattern: the page's heading, "Error: " first when the page shows errors,
    then the service name."""
    titles = {}
    problems = []
    for name in PAGE_TYPES:
        page, _ = open_page(new_context(), site, name)
        title = page.title()
        heading = " ".join(page.locator("h1").first.inner_text().split())
        has_errors = page.locator(".govuk-error-summary").count() > 0
        titles.setdefault(title, []).append(name)
        if not title.endswith(f" – {settings.SERVICE_NAME}"):
            problems.append(f"{name}: {title!r} does not end with the service name")
        if heading not in title:
            problems.append(f"{name}: {title!r} does not name the page's heading {heading!r}")
        if has_errors != title.startswith("Error: "):
            problems.append(f"{name}: {title!r} should start with 'Error: ' only if it has errors")
        page.context.close()
    problems += [
        f"{', '.join(names)} share the title {title!r}"
        for title, names in titles.items()
        if len(names) > 1
    ]
    assert not problems, "\n".join(problems)


# For the focused element: how it looks focused and unfocused, in the computed styles that
# draw GOV.UK's focus indicator (a yellow outline, background or box-shadow), and whether
# Tab has been there before. A radio or checkbox input is invisible: its label's ::before
# draws it, and its focus ring.
FOCUS_STYLES = r"""
() => {
  const element = document.activeElement;
  if (!element || element === document.body) {
    return null;
  }
  const seen = element.hasAttribute("data-tab-stop");
  element.setAttribute("data-tab-stop", "");
  const drawn = element.matches(".govuk-radios__input, .govuk-checkboxes__input")
    ? [element.labels[0], "::before"]
    : [element, null];
  const look = () => {
    const style = getComputedStyle(...drawn);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return {
      outline: outline ? style.outlineColor : "none",
      background: style.backgroundColor,
      shadow: style.boxShadow,
    };
  };
  const focused = look();
  element.blur();
  const unfocused = look();
  element.focus();
  const text = element.getAttribute("aria-label") || element.innerText || element.value || "";
  return {
    element: `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}`
      + `${element.className ? "." + String(element.className).split(" ")[0] : ""}>`
      + ` ${text.replace(/\s+/g, " ").trim().slice(0, 50)}`,
    focused,
    unfocused,
    seen,
  };
}
"""
FOCUS_YELLOW = "rgb(255, 221, 0)"
# More than any page has: the test fails if Tab has not left the page by then.
MOST_TAB_STOPS = 250


def shows_focus(stop):
    focused, unfocused = stop["focused"], stop["unfocused"]
    yellow = FOCUS_YELLOW in (focused["outline"], focused["background"]) or (
        FOCUS_YELLOW in focused["shadow"]
    )
    return yellow and focused != unfocused


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_keyboard_focus_is_visible(new_context, site, name):
    """Tab through the whole page: each stop shows GOV.UK's yellow focus indicator, which it
    does not show unfocused. At desktop width, and at 320 pixels, where the containers of
    wide tables and charts become tab stops."""
    hidden = []
    for width, height in [(1280, 800), (320, 640)]:
        context = new_context(viewport={"width": width, "height": height})
        page, _ = open_page(context, site, name)
        stops = []
        for _ in range(MOST_TAB_STOPS):
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUS_STYLES)
            if stop is None or stop["seen"]:
                break  # out of the page, or round to the start again
            stops.append(stop)
        else:
            pytest.fail(f"Tab does not leave the {name} page in {MOST_TAB_STOPS} stops")
        assert stops, f"Tab reaches nothing on the {name} page"
        hidden += [
            f"  at {width} pixels, {stop['element']}:"
            f" focused {stop['focused']}, unfocused {stop['unfocused']}"
            for stop in stops
            if not shows_focus(stop)
        ]
    assert not hidden, f"Focus is not visible on the {name} page:\n" + "\n".join(hidden)


# 320 CSS pixels is WCAG 1.4.10's reflow width. A 1280 by 800 window zoomed to 200% lays
# pages out exactly as a 640 by 400 CSS-pixel viewport with two device pixels to each CSS
# pixel, which is how it is emulated here: Playwright cannot set Chromium's page zoom.
VIEWPORTS = {
    "1280 pixels wide": (DESKTOP, 1, "1280"),
    "320 pixels wide": ({"width": 320, "height": 640}, 1, "320"),
    "200% zoom": ({"width": 640, "height": 400}, 2, None),
}
# Elements that stick out of the viewport without a scrolling container of their own
# around them, to say what makes the page scroll sideways.
OVERFLOWING = """
() => [...document.body.querySelectorAll("*")]
  .filter(element => element.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(element => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(parent).overflowX)) {
        return parent === document.body || parent === document.documentElement;
      }
    }
    return true;
  })
  .slice(0, 5)
  .map(element => element.outerHTML.slice(0, 160))
"""


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_does_not_scroll_sideways_at_320_pixels_or_200_percent_zoom(new_context, site, name):
    """WCAG 1.4.10: the page itself never scrolls sideways. Charts and tables may scroll
    inside their own container, as two-dimensional content is allowed to."""
    problems = []
    for label, (viewport, scale, width) in VIEWPORTS.items():
        page, _ = open_page(new_context(viewport=viewport, device_scale_factor=scale), site, name)
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            problems.append(
                f"At {label} the page is {scroll_width} pixels wide in a {inner_width}-pixel"
                " window. Sticking out:\n    " + "\n    ".join(page.evaluate(OVERFLOWING))
            )
        if width:
            screenshot(page, f"{name}-{width}")
    assert not problems, f"The {name} page scrolls sideways:\n" + "\n".join(problems)
