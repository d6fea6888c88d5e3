"""The figures and anonymised answers CSVs."""

import csv
import io
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from assessments.models import Answer
from maturity.models import Theme
from maturity.versioning import version_content
from reports import exports
from tests.factories import (
    OrganisationFactory,
    ResponseFactory,
    RoundFactory,
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


def test_figures_csv_has_theme_question_and_shown_group_rows(client):
    round = RoundFactory()
    submit_responses(round, 5, role_group="digital", level=4)
    submit_responses(round, 5, role_group="frontline", level=2)
    submit_responses(round, 1, role_group="commercial")
    client.force_login(member_of(round.organisation))
    response, rows = download(client, round, "reports:figures_csv")
    assert response["Content-Disposition"].startswith('attachment; filename="test-borough-')
    header, *rows = rows
    assert header[:5] == ["row", "theme", "question", "role_group", "title"]
    column = {name: i for i, name in enumerate(header)}
    kinds = [row[column["row"]] for row in rows]
    assert kinds.count("theme") == 2 and kinds.count("question") == 6
    theme = next(row for row in rows if row[column["row"]] == "theme")
    assert theme[column["title"]] == "Theme 1"
    assert theme[column["mean"]] == "50.0"  # (5 x 75 + 5 x 25 + 1 x 50) / 11
    assert theme[column["scored"]] == "11"
    question = next(row for row in rows if row[column["row"]] == "question")
    levels = [question[column[f"level_{level}"]] for level in range(1, 6)]
    assert levels == ["0", "5", "1", "5", "0"]
    groups = {row[column["role_group"]] for row in rows if row[column["row"]] == "role_group"}
    # Commercial (1) is too few; the next smallest, digital (5), hides with it; frontline
    # alone cannot be compared, so no group is shown.
    assert groups == set()


def test_figures_csv_neutralises_formulas_in_admin_text(client):
    version = draft_version()
    Theme.objects.filter(pk=version.themes.first().pk).update(title="=cmd|'/c calc'!A1")
    version.publish()
    round = RoundFactory(questionnaire_version=version)
    submit_responses(round, 5)
    client.force_login(member_of(round.organisation))
    _, rows = download(client, round, "reports:figures_csv")
    titles = [row[4] for row in rows]
    assert "'=cmd|'/c calc'!A1" in titles
    assert "=cmd|'/c calc'!A1" not in titles


def test_answers_csv_has_a_row_per_answer_numbered_in_token_order(client):
    round = RoundFactory(questionnaire_version=published_version(themes=1, questions=2))
    digital = submit_responses(round, 5, role_group="digital", level=2)
    submit_responses(round, 5, role_group="frontline", level=4)
    question = round.questionnaire_version.themes.get().questions.first()
    Answer.objects.filter(response=digital[0], question=question).update(
        kind="dk", option=None, level=None
    )
    ResponseFactory(round=round)  # a draft, never exported
    client.force_login(member_of(round.organisation))
    response, rows = download(client, round, "reports:answers_csv")
    assert "-answers-" in response["Content-Disposition"]
    header, *rows = rows
    assert header == ["response", "role_group", "theme", "question", "answer"]
    assert len(rows) == 20
    assert [row[0] for row in rows[::2]] == [str(n) for n in range(1, 11)]
    # Numbered by the random token, not by when each response was submitted.
    by_token = sorted(round.responses.filter(submitted_at__isnull=False), key=lambda r: r.token)
    number = str(by_token.index(digital[0]) + 1)
    theme = round.questionnaire_version.themes.get().key
    assert [number, "digital", theme, question.concept_key, "don't know"] in rows
    for position, response_ in enumerate(by_token, start=1):
        expected = "2" if response_.role_group == "digital" else "4"
        answers = {row[4] for row in rows if row[0] == str(position)} - {"don't know"}
        assert answers == {expected}
    # Neither tokens nor primary keys appear.
    assert not any(r.token in str(rows) for r in round.responses.all())


def test_answers_csv_blanks_role_groups_exactly_where_the_report_hides_them(client):
    round = RoundFactory(questionnaire_version=published_version(themes=1, questions=1))
    submit_responses(round, 7, role_group="frontline")
    submit_responses(round, 8, role_group="corporate")
    submit_responses(round, 6, role_group="digital")
    submit_responses(round, 2, role_group="commercial")
    client.force_login(member_of(round.organisation))
    _, (_, *rows) = download(client, round, "reports:answers_csv")
    groups = [row[1] for row in rows]
    # Commercial (2) is too few and digital (6) hides with it, so a blank stands for 8.
    assert groups.count("frontline") == 7 and groups.count("corporate") == 8
    assert groups.count("") == 8
    assert "digital" not in groups and "commercial" not in groups


def test_answers_csv_of_a_round_under_k_has_no_rows(client):
    round = RoundFactory()
    submit_responses(round, 4)
    client.force_login(member_of(round.organisation))
    for name in ("reports:answers_csv", "reports:figures_csv"):
        _, rows = download(client, round, name)
        assert len(rows) == 1  # the header


def test_answers_csv_is_404_for_another_organisation(client):
    round = RoundFactory()
    submit_responses(round, 5)
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(reverse("reports:answers_csv", args=[round.pk])).status_code == 404
    assert client.get(reverse("reports:figures_csv", args=[round.pk])).status_code == 404


def test_answers_submitted_during_a_download_are_left_out(client):
    round = RoundFactory(questionnaire_version=published_version(themes=1, questions=1))
    submit_responses(round, 5, role_group="digital")
    submit_responses(round, 5, role_group="frontline")
    rows = exports.answer_rows(round)
    first = next(rows)  # the responses are read: visibility and numbering are fixed
    submit_responses(round, 1, role_group="commercial")
    rest = list(rows)
    assert [first[0], *(row[0] for row in rest)] == list(range(1, 11))


def test_filename_is_ascii_with_organisation_round_and_date():
    round = RoundFactory.build(
        organisation=OrganisationFactory.build(name="Cyngor Gwynedd Council"), title="Round 2025"
    )
    name = exports.filename(round, "answers", "csv")
    assert name.startswith("cyngor-gwynedd-council-round-2025-answers-20")
    assert name.endswith(".csv") and name.isascii()


def test_figures_csv_gives_group_figures_for_shown_groups_only(client):
    round = RoundFactory()
    submit_responses(round, 7, role_group="frontline", level=2)
    submit_responses(round, 8, role_group="corporate", level=4)
    submit_responses(round, 6, role_group="digital")
    submit_responses(round, 2, role_group="commercial")
    client.force_login(member_of(round.organisation))
    _, (header, *rows) = download(client, round, "reports:figures_csv")
    column = {name: i for i, name in enumerate(header)}
    groups = [
        (row[column["role_group"]], row[column["responses"]], row[column["mean"]])
        for row in rows
        if row[column["row"]] == "role_group"
    ]
    assert groups == [("corporate", "8", "75.0"), ("frontline", "7", "25.0")] * 2


def test_answers_are_read_a_chunk_of_responses_at_a_time(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(exports, "RESPONSES_PER_CHUNK", 3)
    round = RoundFactory(questionnaire_version=published_version(themes=2, questions=2))
    submit_responses(round, 4, role_group="digital")
    submit_responses(round, 4, role_group="frontline", level=4)
    version_content(round.questionnaire_version)  # read once a process
    # The responses, then one query per 3 responses.
    with django_assert_num_queries(4):
        rows = list(exports.answer_rows(round))
    assert len(rows) == 8 * 4
    assert [row[0] for row in rows] == [n for n in range(1, 9) for _ in range(4)]
    keys = [
        q.concept_key for t in round.questionnaire_version.themes.all() for q in t.questions.all()
    ]
    assert [row[3] for row in rows[:4]] == keys


def test_methodology_explains_every_csv_column():
    docs = Path(__file__).parents[2] / "docs" / "methodology.md"
    reading = docs.read_text().split("## Reading the report")[1]
    for column in [*exports.FIGURE_COLUMNS, *exports.ANSWER_COLUMNS]:
        assert f"`{column}`" in reading
