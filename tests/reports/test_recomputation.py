"""An auditor recomputes every figure of a seeded round from its downloads alone.

The setup makes rounds through the app's factories; the checks (tests/reports/auditor.py) see
only the files a lead can download: method.json, figures.csv and answers.csv of the round and
of the round it is compared with.
"""

import ast
import csv
import io
import json
import random
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import (
    OrganisationFactory,
    closed_round,
    member_of,
    published_version,
    submit_responses,
    vary_answers,
)
from tests.reports import auditor

pytestmark = pytest.mark.django_db
WEIGHTS = [[2, 1, 1], [1, 1, 3]]
GROUPS = ["frontline", "digital", "corporate", "leadership"]


def make_rounds(length="full"):
    rng = random.Random(length)
    version = published_version(weights=WEIGHTS)
    organisation = OrganisationFactory()
    before = closed_round(organisation, version, days_ago=200)
    for group in GROUPS:
        submit_responses(before, 6, role_group=group)
    vary_answers(before, rng, lower_theme=1)  # lower then in one theme, so one change is clear
    now = closed_round(organisation, version, days_ago=2, length=length)
    for group, n in zip(GROUPS, (9, 7, 5, 2), strict=True):
        submit_responses(now, n, role_group=group, is_personal=group == "digital")
    vary_answers(now, rng, short=length == "short")
    return now, before


def downloads(client, round):
    def text(name):
        response = client.get(reverse(f"reports:{name}", args=[round.pk]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return body.decode().removeprefix("\ufeff")

    figures = list(csv.DictReader(io.StringIO(text("figures_csv"))))
    answers = list(csv.reader(io.StringIO(text("answers_csv"))))
    return json.loads(text("method_json")), figures, answers


def test_every_figure_of_a_full_round_recomputes_from_the_downloads(client):
    now, before = make_rounds()
    client.force_login(member_of(now.organisation))
    method, figures, answers = downloads(client, now)
    _, previous_figures, _ = downloads(client, before)

    assert method["comparison_round"]["title"] == before.title
    auditor.check_full_round(method, figures, answers)
    auditor.check_questions(method, figures, answers)
    auditor.check_groups(figures)
    directions = auditor.check_changes(method, figures, previous_figures)
    assert {"up", "no clear change"} <= directions
    overall = next(row for row in figures if row["row"] == "overall")
    assert int(overall["personal_link"]) + int(overall["open_link"]) == int(overall["responses"])


def test_a_short_rounds_figures_recompute_from_the_downloads(client):
    now, _ = make_rounds("short")
    client.force_login(member_of(now.organisation))
    method, figures, answers = downloads(client, now)
    assert method["round"]["survey"] == "short"
    auditor.check_questions(method, figures, answers)
    rows = {row["theme"]: row for row in figures if row["row"] == "theme"}
    for theme in method["themes"]:
        mean, se, n = auditor.short_theme(theme, answers)
        row = rows[theme["key"]]
        assert auditor.close(row["mean"], mean) and auditor.close(row["se"], se)
        assert auditor.close(row["margin"], auditor.t(n - 1) * se)


def test_the_auditor_imports_nothing_of_the_app():
    tree = ast.parse(Path(auditor.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported == {"math", "statistics", "scipy"}
