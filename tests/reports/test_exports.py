"""The figures and anonymised answers CSVs."""

import csv
import io
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from assessments import figures
from assessments.models import AccessLog, Answer, Membership
from maturity.models import Theme
from maturity.versioning import version_content
from reports import exports
from tests.factories import (
    OrganisationFactory,
    ResponseFactory,
    RoundFactory,
    closed_round,
    draft_version,
    member_of,
    published_version,
    submit_responses,
)

pytestmark = pytest.mark.django_db


def download(client, round, name):
    response = client.get(reverse(name, args=[round.pk]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads UTF-8
    return response, list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(start):
    assert exports.neutralise(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_other_cells_and_numbers_are_left_alone():
    assert exports.neutralise("Leadership") == "Leadership"
    assert exports.neutralise(-12.5) == -12.5
    assert exports.neutralise("") == ""


def lead_of(client, round):
    client.force_login(member_of(round.organisation))
    return client


def test_figures_csv_has_theme_question_and_shown_group_rows(client):
    round = closed_round()
    submit_responses(round, 5, role_group="digital", level=4)
    submit_responses(round, 5, role_group="frontline", level=2)
    submit_responses(round, 1, role_group="commercial", is_personal=True)
    response, rows = download(lead_of(client, round), round, "reports:figures_csv")
    assert response["Content-Disposition"].startswith('attachment; filename="test-borough-')
    assert "no-store" in response["Cache-Control"]
    header, *rows = rows
    assert header[:5] == ["row", "theme", "question", "group", "title"]
    column = {name: i for i, name in enumerate(header)}
    kinds = [row[column["row"]] for row in rows]
    assert kinds.count("theme") == 2 and kinds.count("question") == 6
    overall = rows[0]
    assert (overall[column["personal_link"]], overall[column["open_link"]]) == ("1", "10")
    theme = next(row for row in rows if row[column["row"]] == "theme")
    assert theme[column["title"]] == "Theme 1"
    assert theme[column["mean"]] == "50.0"  # (5 x 75 + 5 x 25 + 1 x 50) / 11
    assert theme[column["scored"]] == "11"
    assert theme[column["level"]] == "3"
    assert float(theme[column["margin"]]) > 0
    question = next(row for row in rows if row[column["row"]] == "question")
    levels = [question[column[f"level_{level}"]] for level in range(1, 6)]
    assert levels == ["0", "5", "1", "5", "0"]
    groups = {row[column["group"]] for row in rows if row[column["row"]] == "group"}
    # At close the lone commercial response joins the smallest cell, digital's, counted
    # overall only; frontline alone cannot be compared, so only that remainder has a row.
    assert groups == {"overall only"}


def test_figures_csv_neutralises_formulas_in_admin_text(client):
    version = draft_version()
    Theme.objects.filter(pk=version.themes.first().pk).update(title="=cmd|'/c calc'!A1")
    version.publish()
    round = closed_round(version=version)
    submit_responses(round, 5)
    _, rows = download(lead_of(client, round), round, "reports:figures_csv")
    titles = [row[4] for row in rows]
    assert "'=cmd|'/c calc'!A1" in titles
    assert "=cmd|'/c calc'!A1" not in titles


def wide(client, round):
    """The answers CSV: a header of question keys, and a row a respondent."""
    content = b"".join(
        client.get(reverse("reports:answers_csv", args=[round.pk])).streaming_content
    )
    return list(csv.reader(io.StringIO(content.decode().removeprefix("\ufeff"))))


def test_answers_csv_has_a_row_a_respondent_in_token_order_and_no_group(client):
    round = closed_round(version=published_version(themes=1, questions=2))
    digital = submit_responses(round, 5, role_group="digital", level=2)
    submit_responses(round, 5, role_group="frontline", level=4)
    question = round.questionnaire_version.themes.get().questions.first()
    Answer.objects.filter(response=digital[0], question=question).update(
        kind="dk", option=None, level=None
    )
    ResponseFactory(round=round)  # a draft, never exported
    lead_of(client, round)
    response = client.get(reverse("reports:answers_csv", args=[round.pk]))
    assert "-answers-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = wide(client, round)
    keys = [q.concept_key for q in round.questionnaire_version.themes.get().questions.all()]
    assert header == ["response", *keys]
    assert len(rows) == 10
    assert [row[0] for row in rows] == [str(n) for n in range(1, 11)]
    # Numbered by the random token, not by when each response was submitted.
    by_token = sorted(round.responses.filter(submitted_at__isnull=False), key=lambda r: r.token)
    assert rows[by_token.index(digital[0])][1] == "dk"
    for row, response_ in zip(rows, by_token, strict=True):
        expected = "2" if response_.role_group == "digital" else "4"
        assert set(row[1:]) - {"dk"} == {expected}
    # No group, no token, no primary key anywhere.
    text = str(rows)
    assert "digital" not in text and "frontline" not in text
    assert not any(r.token in text for r in round.responses.all())


def test_answers_csv_is_for_leads_of_closed_rounds_only(client):
    open_round = RoundFactory()
    submit_responses(open_round, 12)
    closed = closed_round(organisation=open_round.organisation)
    submit_responses(closed, 5)
    url = "reports:answers_csv"
    client.force_login(member_of(open_round.organisation, Membership.Role.VIEWER))
    assert client.get(reverse(url, args=[closed.pk])).status_code == 404
    lead_of(client, open_round)
    assert client.get(reverse(url, args=[open_round.pk])).status_code == 404
    assert client.get(reverse(url, args=[closed.pk])).status_code == 200


def test_answers_csv_of_a_round_under_k_has_no_rows(client):
    round = closed_round()
    submit_responses(round, 4)
    lead_of(client, round)
    assert len(wide(client, round)) == 1  # the header
    _, rows = download(client, round, "reports:figures_csv")
    assert len(rows) == 1


def test_answers_csv_is_404_for_another_organisation(client):
    round = closed_round()
    submit_responses(round, 5)
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(reverse("reports:answers_csv", args=[round.pk])).status_code == 404
    assert client.get(reverse("reports:figures_csv", args=[round.pk])).status_code == 404


def test_a_short_rounds_answers_leave_unasked_questions_blank(client):
    round = closed_round(version=published_version(themes=1, questions=4), length="short")
    responses = submit_responses(round, 5)
    asked = round.questionnaire_version.themes.get().questions.all()[:2]
    Answer.objects.filter(response__in=responses).exclude(question__in=asked).delete()
    _, *rows = wide(lead_of(client, round), round)
    assert all(row[3:] == ["", ""] and row[1:3] == ["3", "3"] for row in rows)


def test_every_download_is_in_the_access_log(client):
    round = closed_round()
    submit_responses(round, 5)
    user = member_of(round.organisation)
    client.force_login(user)
    for name in ("figures_csv", "answers_csv", "method_json", "board_pdf"):
        response = client.get(reverse(f"reports:{name}", args=[round.pk]))
        b"".join(response.streaming_content) if response.streaming else response.content
    entries = AccessLog.objects.filter(organisation=round.organisation, user=user)
    assert sorted(entries.values_list("detail", flat=True)) == sorted(
        f"{what} of “{round.title}”"
        for what in ("Figures CSV", "Answers CSV", "Method file", "Board summary PDF")
    )


def test_filename_is_ascii_with_organisation_round_and_date():
    round = RoundFactory.build(
        organisation=OrganisationFactory.build(name="Cyngor Gwynedd Council"), title="Round 2025"
    )
    name = exports.filename(round, "answers", "csv")
    assert name.startswith("cyngor-gwynedd-council-round-2025-answers-20")
    assert name.endswith(".csv") and name.isascii()


def test_figures_csv_gives_group_figures_for_shown_groups_only(client):
    round = closed_round()
    submit_responses(round, 7, role_group="frontline", level=2)
    submit_responses(round, 8, role_group="corporate", level=4)
    submit_responses(round, 6, role_group="digital", level=3)
    _, (header, *rows) = download(lead_of(client, round), round, "reports:figures_csv")
    column = {name: i for i, name in enumerate(header)}
    groups = [
        (row[column["group"]], row[column["responses"]], row[column["mean"]])
        for row in rows
        if row[column["row"]] == "group"
    ]
    assert (
        groups
        == [
            ("Corporate services", "8", "75.0"),
            ("Digital, IT or data", "6", "50.0"),
            ("Frontline service delivery", "7", "25.0"),
        ]
        * 2
    )


def test_answers_are_read_a_chunk_of_responses_at_a_time(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(exports, "RESPONSES_PER_CHUNK", 3)
    round = closed_round(version=published_version(themes=2, questions=2))
    submit_responses(round, 4, role_group="digital")
    submit_responses(round, 4, role_group="frontline", level=4)
    figures.publish_snapshot(round)
    questions = version_content(round.questionnaire_version).questions()  # read once a process
    # The responses, then one query per 3 responses.
    with django_assert_num_queries(4):
        rows = list(exports.answer_rows(round, [q.pk for q in questions]))
    assert len(rows) == 8
    assert [row[0] for row in rows] == list(range(1, 9))
    assert all(len(row) == 5 for row in rows)


def test_methodology_explains_every_csv_column():
    docs = Path(__file__).parents[2] / "docs" / "methodology.md"
    reading = docs.read_text().split("## Reading the report")[1]
    for column in exports.FIGURE_COLUMNS:
        assert f"`{column}`" in reading
    round = RoundFactory.build(organisation=OrganisationFactory.build())
    report = {
        "snapshot": None,
        "min_peers": 5,
        "dont_know_note": 20,
        "level_bands": [],
        "channels": {},
    }
    method = exports.method(round, report)
    for key in [*method, *method["thresholds"]]:
        assert f"`{key}`" in reading
