"""The report's theme-score charts at a phone's width and a desktop's, with and without
JavaScript: a radar where there is room for it, a dot chart drawn on the server elsewhere,
every label legible."""

import pytest

from tests.browser.pages import DESKTOP, as_lead, open_page

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
# The smallest text of each chart as shown, in CSS pixels: an SVG's font size scaled by the
# width it is drawn at. The dot chart is an image: its SVG is read from its data URI.
SMALLEST_TEXT = """selector => {
  const size = (text, svg, shown) => {
    const box = svg.viewBox.baseVal;
    return parseFloat(getComputedStyle(text).fontSize) * shown.width / box.width;
  };
  const sizes = [...document.querySelectorAll(selector)]
    .filter(text => text.getBoundingClientRect().width > 0)
    .map(text => size(text, text.ownerSVGElement, text.ownerSVGElement.getBoundingClientRect()));
  return sizes.length ? Math.min(...sizes) : null;
}"""
# The dot chart's SVG, put in the page beside the image at the image's size, to be measured.
DOTS = """() => {
  const image = document.querySelector(".app-dots img");
  const svg = new DOMParser()
    .parseFromString(atob(image.src.split(",")[1]), "image/svg+xml").documentElement;
  const probe = document.createElement("div");
  probe.id = "dots-probe";
  probe.style.width = image.getBoundingClientRect().width + "px";
  probe.appendChild(document.importNode(svg, true));
  probe.firstChild.style.width = "100%";
  document.body.appendChild(probe);
}"""
VISIBLE = "selector => !!document.querySelector(selector).offsetParent"


def test_on_a_phone_a_dot_chart_with_legible_labels_takes_the_radars_place(new_context, site):
    page, _ = open_page(new_context(viewport=PHONE), site, "report")
    assert page.evaluate(VISIBLE, ".app-dots")
    assert not page.evaluate(VISIBLE, "[data-chart='radar-data']")
    page.evaluate(DOTS)
    assert page.evaluate(SMALLEST_TEXT, "#dots-probe text") >= 12
    names = page.locator("#dots-probe text").all_text_contents()
    page.evaluate("() => document.getElementById('dots-probe').remove()")
    assert "This round" in names and "Previous round" in names
    # Widened, the page draws the radar it left out.
    page.set_viewport_size(DESKTOP)
    page.locator("[data-chart='radar-data'] .main-svg").first.wait_for()
    assert not page.evaluate(VISIBLE, ".app-dots")


def test_on_a_desktop_the_radar_names_its_lines_in_legible_text(new_context, site):
    page, _ = open_page(new_context(), site, "report")
    assert not page.evaluate(VISIBLE, ".app-dots")
    assert page.evaluate(SMALLEST_TEXT, "[data-chart='radar-data'] text") >= 12
    texts = page.locator("[data-chart='radar-data'] .scatterlayer .textpoint").all_text_contents()
    # The browser site's organisation has targets: their line is named too.
    assert sorted(text for text in texts if text) == ["Previous round", "Target", "This round"]


def test_without_javascript_the_dot_chart_is_shown_at_any_width(new_context, site):
    for viewport in (PHONE, DESKTOP):
        page = new_context(viewport=viewport, java_script_enabled=False).new_page()
        as_lead(page, site, f"/rounds/{site.current.pk}/report/")
        assert page.evaluate(VISIBLE, ".app-dots")
        assert page.locator("#theme-scores-caption").is_visible()


def test_a_phone_is_shown_charts_drawn_on_the_server_and_never_downloads_plotly(new_context, site):
    requested = []
    context = new_context(viewport=PHONE)
    context.on("request", lambda request: requested.append(request.url))
    page, _ = open_page(context, site, "report")
    assert page.evaluate(VISIBLE, ".app-dots") and page.evaluate(VISIBLE, ".app-chart-image")
    assert not page.evaluate(VISIBLE, "[data-chart='groups-data']")
    assert not any("plotly" in url and url.endswith(".js") for url in requested)
    # Widened, the page fetches plotly and draws both charts it left out.
    page.set_viewport_size(DESKTOP)
    page.locator("[data-chart='groups-data'] .main-svg").first.wait_for()
    assert any(url.endswith("plotly.min.js") for url in requested)
    assert not page.evaluate(VISIBLE, ".app-chart-image")
