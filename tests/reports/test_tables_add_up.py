"""Every table of the report page, its theme pages and both PDFs adds up as printed.

A sceptical board member checks the printed numbers against each other: a change against the
two scores beside it, a gap against the group scores, a level against the published bands,
a question's mean against its counts, the headline against the table. The PDFs are read twice:
their tables from the HTML they are made from, and that the PDF's own text holds every row.
"""

import io
import random
import re
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from assessments.comparison import Change
from assessments.margins import Estimate
from assessments.scoring import level_band
from reports import pdf
from tests.factories import (
    ActionFactory,
    LeadershipViewFactory,
    OrganisationFactory,
    TargetFactory,
    closed_round,
    days,
    member_of,
    peer_rounds,
    published_version,
    submit_responses,
    vary_answers,
)

pytestmark = pytest.mark.django_db
MINUS = "−"


class Tables(HTMLParser):
    """The tables of a document: each its caption and rows of cell texts, and the text of
    every element with a class named in `classes`."""

    def __init__(self, classes=()):
        super().__init__()
        self.tables, self.texts = [], {name: [] for name in classes}
        self.cell = self.caption = None
        self.open = []  # the classes of the open elements, for self.texts

    def handle_starttag(self, tag, attrs):
        names = set((dict(attrs).get("class") or "").split()) & set(self.texts)
        self.open.append((tag, names, len(self.rawdata)))
        for name in names:
            self.texts[name].append([])
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self.caption = []
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        while self.open:
            opened, names, _ = self.open.pop()
            if opened == tag:
                break
        if tag == "caption":
            self.tables[-1]["caption"] = squash(self.caption)
            self.caption = None
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1]["rows"][-1].append(squash(self.cell))
            self.cell = None

    def handle_data(self, data):
        for target in (self.caption, self.cell):
            if target is not None:
                target.append(data)
        for _, names, _ in self.open:
            for name in names:
                self.texts[name][-1].append(data)


def squash(parts):
    return " ".join("".join(parts).split())


def parse(html, classes=()):
    parser = Tables(classes)
    parser.feed(html)
    return parser


def number(text):
    """The first whole number in a cell, signed; None for "–"."""
    found = re.search(rf"[+{MINUS}-]?\d+", text)
    return None if found is None else int(found.group().replace(MINUS, "-").replace("+", ""))


def change(text):
    """A change cell as (signed points, margin, direction), or None when none is stated."""
    if found := re.search(r"(Up|Down) (\d+) \(±(\d+)\)", text):
        sign = 1 if found[1] == "Up" else -1
        return sign * int(found[2]), int(found[3]), found[1].lower()
    if found := re.search(rf"No clear change \(([+{MINUS}]?\d+), ±(\d+)\)", text):
        return number(found[1]), int(found[2]), "steady"
    return None


def level_of_shown(points):
    return next(
        level for level in range(1, 6) if level_band(level)[0] <= points <= level_band(level)[1]
    )


def check_change(cell, now, before):
    """A change beside its two scores: their difference as printed, called up or down only
    beyond its printed margin, and "no clear change" only within it."""
    stated = change(cell)
    if stated is None:
        return 0
    points, margin, direction = stated
    assert points == now - before, cell
    if direction == "steady":
        assert abs(points) <= margin, cell
    else:
        assert abs(points) > margin and (points > 0) == (direction == "up"), cell
    return 1


def columns(table):
    header, *rows = table["rows"]
    return [re.sub(r" \(\d+\)$", "", name) for name in header], rows


def check_theme_scores(table):
    header, rows = columns(table)
    at = {name: i for i, name in enumerate(header)}
    shown, checked, targets = [], 0, 0
    for row in rows:
        if row[at["This round"]].startswith("Not enough answers"):
            continue
        points = number(row[at["This round"]])
        level = re.match(r"(\d) ", row[at["Level"]])
        assert int(level[1]) == level_of_shown(points), row
        if "Before" in at and (before := number(row[at["Before"]])) is not None:
            checked += check_change(row[at["Change"]], points, before)
        target = re.search(
            r"level (\d) by \w+ \d{4}\s*(\d+) points? to go", row[at.get("Target", 0)]
        )
        if "Target" in at and target:
            # Points to go: from the score as printed to the lowest score of the target level.
            assert int(target[2]) == level_band(int(target[1]))[0] - points, row
            targets += 1
        if row[0].startswith("Overall"):
            # The overall is the average of the unrounded themes, rounded once: within a
            # point of the average of the rounded themes (docs/methodology.md, section 6).
            assert abs(points - sum(shown) / len(shown)) <= 1, (points, shown)
            overall = points
        else:
            shown.append(points)
    return {"themes": shown, "overall": overall, "changes": checked, "targets": targets}


def check_gaps(table):
    _, rows = columns(table)
    for row in rows:
        scores = [number(cell) for cell in row[1:-1] if number(cell) is not None]
        gap = number(row[-1])
        assert gap == (max(scores) - min(scores) if len(scores) >= 2 else None), row
    return len(rows)


def check_trend(table):
    _, rows = columns(table)
    checked = 0
    for row in rows:
        before, now = number(row[1]), number(row[2])
        if before is not None and now is not None:
            checked += check_change(row[3], now, before)
    return checked


def check_peers(table):
    _, rows = columns(table)
    for row in rows:
        score, median = number(row[1]), number(row[2])
        if median is None:
            continue
        q1, q3 = (int(n) for n in re.findall(r"\d+", row[3]))
        assert q1 <= median <= q3, row
        expected = (
            "Below the middle half"
            if score < q1
            else "Above the middle half"
            if score > q3
            else "Within the middle half"
        )
        assert row[5] == expected, row
    return len(rows)


def check_questions(table, responses):
    header, rows = columns(table)
    for row in rows:
        counts = [int(cell) for cell in row[1:6]]
        not_applicable, dont_know = int(row[6]), int(row[7])
        assert sum(counts) + not_applicable + dont_know <= responses, row
        mean = number(row[8])
        if sum(counts):
            exact = sum(c * (level - 1) * 25 for level, c in enumerate(counts, 1)) / sum(counts)
            assert abs(mean - exact) <= 0.5, row
        else:
            assert mean is None, row
        if len(row) > 9:
            assert row[9]  # a change, "too few to tell", or "new or not comparable"
    return len(rows)


def check_claims(table):
    """The claim gap from the staff score, its margin and the leadership's level as printed:
    the distance from the score's range to the level's band, or none where they overlap."""
    _, rows = columns(table)
    checked = 0
    for row in rows:
        staff = re.match(r"(\d+) ±(\d+), level (\d)", row[1])
        view = re.match(r"Level (\d)", row[2])
        if not (staff and view):
            assert row[3] == "–", row
            continue
        points, margin, level = (int(n) for n in staff.groups())
        assert level == level_of_shown(points), row
        low, high = level_band(int(view[1]))
        if low > points + margin:
            assert row[3].startswith(f"Leadership higher, by {low - points - margin} point"), row
        elif high < points - margin:
            assert row[3].startswith(f"Leadership lower, by {points - margin - high} point"), row
        else:
            assert row[3].startswith("Within the margin"), row
        checked += 1
    return checked


def check_actions(table):
    """Open actions, soonest due first."""
    _, rows = columns(table)
    due = [time.strptime(re.search(r"\d+ \w+ \d{4}", row[3])[0], "%d %b %Y") for row in rows]
    assert due == sorted(due), rows
    return len(rows)


def check_since(table):
    """Each theme's measured change as the trend table states it (checked there)."""
    _, rows = columns(table)
    for row in rows:
        assert change(row[3]) is not None or row[3] in (
            "Not comparable",
            "Too few responses to tell",
        ), row
    return len(rows)


CHECKS = {
    "The leadership’s level and the staff’s score": check_claims,
    "Open actions, soonest due first": check_actions,
    "Done since the earlier round": check_since,
    "Theme scores out of 100, with their margins of error": check_theme_scores,
    "Theme scores out of 100 by": check_gaps,
    "Theme scores out of 100, before and now": check_trend,
    "Theme scores out of 100 against similar organisations": check_peers,
}


def check_document(html, responses):
    """Check every table of a document; return what each check found, by caption."""
    document = parse(html, classes=("app-headline__figure",))
    found = {}
    for table in document.tables:
        caption = table["caption"]
        if caption.startswith("Number of answers to each question"):
            found.setdefault("questions", 0)
            found["questions"] += check_questions(table, responses)
            continue
        check = next((f for prefix, f in CHECKS.items() if caption.startswith(prefix)), None)
        assert check is not None, f"a table no check reads: {caption}"
        found[caption.split(" by ")[0] if " by " in caption else caption] = check(table)
    headline = ["".join(parts) for parts in document.texts["app-headline__figure"]]
    if headline:
        scores = found["Theme scores out of 100, with their margins of error"]
        assert number(headline[0]) == scores["overall"]
        assert number(headline[1]) == min(scores["themes"])  # the weakest theme
        assert number(headline[2]) == responses
    return found, document.tables


@pytest.fixture
def seeded(client):
    """A round with groups shown and hidden, an earlier round to compare with, and peers."""
    cache.clear()
    rng = random.Random(13)
    version = published_version(themes=3, weights=[[2, 1, 1], [1, 1, 3], [1, 2, 1]])
    organisation = OrganisationFactory(function="01")
    for level in (2, 3, 3, 4, 4):
        peer_rounds(version, 1, level=level, function="01")
    before = closed_round(organisation, version, days_ago=200)
    submit_responses(before, 24)
    vary_answers(before, rng, lower_theme=1)
    now = closed_round(organisation, version, days_ago=2)
    for group, n in (("frontline", 11), ("digital", 9), ("corporate", 6), ("leadership", 2)):
        submit_responses(now, n, role_group=group)
    vary_answers(now, rng)
    # A plan: leadership views well above, well below and near the staff's scores, targets
    # above them, and open actions.
    keys = [theme.key for theme in version.themes.all()]
    for key, level in zip(keys, (5, 1, 3), strict=True):
        LeadershipViewFactory(organisation=organisation, theme_key=key, level=level)
        TargetFactory(organisation=organisation, theme_key=key, level=5)
    for n, key in enumerate(keys):
        ActionFactory(organisation=organisation, theme_key=key, due_on=days(30 - 20 * n))
    client.force_login(member_of(organisation))
    return now


def get(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response


def test_every_table_of_the_page_and_both_pdfs_adds_up(client, seeded, monkeypatch):
    round = seeded
    responses = round.submitted_count
    page, page_tables = check_document(get(client, "reports:round", round.pk).text, responses)
    theme_keys = [t.key for t in round.questionnaire_version.themes.all()]
    questions = 0
    for key in theme_keys:
        found, _ = check_document(get(client, "reports:theme", round.pk, key).text, responses)
        questions += found["questions"]
    assert questions == 9
    # Every kind of table was there to check, with changes both clear and not.
    assert page["Theme scores out of 100, with their margins of error"]["changes"] == 4
    assert page["Theme scores out of 100, before and now"] == 4
    assert page["Theme scores out of 100"] == 3  # the groups' gaps
    assert page["Theme scores out of 100 against similar organisations"] == 3
    assert page["Theme scores out of 100, with their margins of error"]["targets"] == 3
    assert page["The leadership’s level and the staff’s score,"] == 3
    assert page["Open actions, soonest due first"] == 3

    made = {}
    render = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda html: made.setdefault(len(made), html) and render(html)
    )
    for name in ("reports:board_pdf", "reports:full_pdf"):
        content = get(client, name, round.pk).content
        html = made[len(made) - 1]
        found, tables = check_document(html, responses)
        if name == "reports:full_pdf":
            assert found["questions"] == 9
            assert set(found) == set(page) | {"questions"}
        # The PDF's tables are the page's, cell for cell.
        by_caption = {t["caption"]: t["rows"] for t in page_tables}
        for table in tables:
            if table["caption"] in by_caption:
                assert table["rows"] == by_caption[table["caption"]], table["caption"]
        # And the PDF's own text holds every row of them, in order.
        text = " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
        )
        for table in tables:
            for row in table["rows"][1:]:
                assert " ".join(cell for cell in row if cell) in text, row


def test_a_change_within_its_margin_never_reads_beyond_it():
    """The rounding of shown margins: a change within its computed margin is within its
    printed one (margins round up), whatever the unrounded figures."""
    rng = random.Random(5)
    for _ in range(2000):
        n1, n2 = rng.randint(10, 60), rng.randint(10, 60)
        now = Estimate(rng.uniform(20, 80), rng.uniform(1, 9), n1, n1 - 1)
        before = Estimate(rng.uniform(20, 80), rng.uniform(1, 9), n2, n2 - 1)
        stated = Change(now, before)
        if stated.direction == "steady":
            assert abs(stated.shown) <= stated.shown_margin, (now, before)
        elif stated.direction in ("up", "down"):
            assert abs(stated.shown) > stated.shown_margin
