"""The report as PDF, with WeasyPrint: a board summary and a full report.

Both come from templates that include the report page's partials, with the charts drawn as
SVG by reports.svg. The PDFs are tagged (PDF/UA-1) with their title and language set;
`complete_structure` adds what WeasyPrint's structure tree leaves out.

WeasyPrint fetches every URL a document names (stylesheets, images, SVG references). Ours
only ever name our own static files, so `StaticFilesFetcher` serves those and refuses
everything else: if admin-edited text ever reached the PDF unescaped, an
`<img src="file:///etc/passwd">` or an outside URL in it would still fetch nothing.

Generated PDFs are cached under a key naming everything they depend on: the round's snapshot,
the comparison round and its snapshot (reports.report.cache_key). Titles a lead changes are
picked up within CACHE_SECONDS.
"""

import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.formatting_structure import boxes
from weasyprint.html import UA
from weasyprint.urls import URLFetcher, URLFetcherResponse

BOARD, FULL = "board", "full"
TEMPLATES = {BOARD: "reports/pdf/board.html", FULL: "reports/pdf/full.html"}
FILENAMES = {BOARD: "board-summary", FULL: "full-report"}
TITLES = {BOARD: "Board summary PDF", FULL: "Full report PDF"}
# The documents' base URL. ".invalid" never resolves, and nothing is fetched from it anyway:
# the fetcher maps its /static/ paths to files on disk.
BASE_URL = "https://pdf.invalid/"
PDF_VARIANT = "pdf/ua-1"
CACHE_SECONDS = 6 * 60 * 60
# Part of the cache key: bump it when the PDF templates change what they show.
FORMAT = 3


def static_file(url):
    """The file on disk behind one of our static URLs, or None for any other URL."""
    parts = urlsplit(url)
    static_url = settings.STATIC_URL  # "/static/" once Django has added the script prefix
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(static_url):
        return None
    name = unquote(parts.path[len(static_url) :])
    # Only plain relative paths: no "..", no absolute path, nothing normpath would change.
    if not name or name.startswith("/") or posixpath.normpath(name) != name or ".." in name:
        return None
    # The source files first, as the static files app serves them in development; then the
    # collected ones, whose names carry a hash in production.
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / name if settings.STATIC_ROOT else None
    return collected if collected and collected.is_file() else None


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, allowed only our static files."""

    def fetch(self, url, headers=None):
        path = static_file(url)
        if path is None:
            # WeasyPrint logs this and leaves the resource out; the PDF is still made.
            raise ValueError(f"Not one of our static files, so not fetched: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# PDF points per CSS pixel, at WeasyPrint's default zoom.
POINTS_PER_PX = 0.75
# HTML's scope attribute as PDF's /Scope; a header cell without one heads its column.
SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


# WeasyPrint's user-agent stylesheet gives `::marker` and five footnote and note
# pseudo-element rules without a type selector, so the cascade computes six extra styles for
# every element: 18,000 for the full report's 3,000, a fifth of its layout time. Our PDFs have
# no footnotes or notes, and only `li` elements are list items, so the same stylesheet with
# those rules dropped or narrowed to `li` lays them out identically (docs/decisions/0024).
UNIVERSAL_PSEUDO_RULES = re.compile(r"^::(footnote|note)-[a-z]+ \{.*\}$\n", re.MULTILINE)
UNIVERSAL_MARKER_RULE = re.compile(r"^::marker \{", re.MULTILINE)


def lean_user_agent_css(css):
    """WeasyPrint's user-agent CSS without the rules that match every element for nothing."""
    css, notes = UNIVERSAL_PSEUDO_RULES.subn("", css)
    css, markers = UNIVERSAL_MARKER_RULE.subn("li::marker {", css)
    if (notes, markers) != (5, 1):
        # A WeasyPrint release changed these rules: keep its stylesheet rather than guess.
        return None
    return css


LEAN_CSS = lean_user_agent_css(UA)
# Counter styles of its own: WeasyPrint's already hold the stylesheet's `disc` and `decimal`,
# which parsing it a second time into them would refuse.
LEAN_COUNTER_STYLE = CounterStyle()
LEAN_STYLESHEET = LEAN_CSS and CSS(string=LEAN_CSS, counter_style=LEAN_COUNTER_STYLE)


class PDFDocument(HTML):
    """WeasyPrint's HTML document, laid out with the lean user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        if not LEAN_STYLESHEET or forms:
            return super()._ua_stylesheets(forms)
        return [LEAN_STYLESHEET]

    def _ua_counter_style(self):
        if not LEAN_STYLESHEET:
            return super()._ua_counter_style()
        return [LEAN_COUNTER_STYLE.copy()]


def document(html):
    """`html` as a WeasyPrint document, ready to lay out: what render_pdf renders."""
    return PDFDocument(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())


def render_pdf(html):
    return document(html).write_pdf(pdf_variant=PDF_VARIANT, finisher=complete_structure)


def _cells(box):
    """The table cells among a box's descendants."""
    stack = [box]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.TableCellBox):
            yield box
        elif isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            stack.extend(box.children)


def complete_structure(document, pdf):
    """Add to WeasyPrint's structure tree, before the PDF is written, what PDF/UA checkers
    look for and WeasyPrint 70 leaves out or gets wrong.

    - Each table header cell gets the /Scope of its HTML `scope` attribute. WeasyPrint links
      data cells to headers with /Headers but writes no /Scope, and keeps the structure
      element it made for each cell on the cell's box (as `mark`).
    - Each figure's /BBox is given in the page's PDF coordinates. WeasyPrint writes the CSS
      box in pixels from the top-left corner, which lies outside the page for most figures.
    """
    for page in document.pages:
        for cell in _cells(page._page_box):
            element = getattr(cell, "mark", None)
            if element is not None and cell.element_tag == "th":
                scope = SCOPES.get(cell.element.get("scope", ""), "/Column")
                element["A"]["Scope"] = scope
    heights = {
        reference: page.height * POINTS_PER_PX
        for reference, page in zip(pdf.page_references, document.pages, strict=True)
    }
    for element in pdf.objects:
        if isinstance(element, dict) and element.get("S") == "/Figure" and "A" in element:
            x1, y1, x2, y2 = (n * POINTS_PER_PX for n in element["A"]["BBox"])
            height = heights[element["Pg"]]
            element["A"]["BBox"] = pydyf.Array((x1, height - y2, x2, height - y1))


def cached_pdf(key, variant, context):
    """The PDF `variant` of the report whose inputs `key` names (reports.report.cache_key),
    from the cache or rendered from `context()`."""
    key = ":".join(str(part) for part in ("reports-pdf", FORMAT, variant, *key))
    content = cache.get(key)
    if content is None:
        html = render_to_string(
            TEMPLATES[variant], {**context(), "service_name": settings.SERVICE_NAME}
        )
        content = render_pdf(html)
        cache.set(key, content, CACHE_SECONDS)
    return content
