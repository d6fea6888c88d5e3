"""The write functions in assessments/responses.py, called directly."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Answer, Response, Round
from assessments.responses import (
    AnswerInput,
    issue_personal_links,
    save_answers,
    save_role_group,
    start_response,
    submit_response,
    theme_progress,
    unanswered_questions,
    write_personal_links_csv,
)
from tests.factories import (
    AnswerFactory,
    ResponseFactory,
    RoundFactory,
    closed_round,
    published_version,
)

pytestmark = pytest.mark.django_db


def answer_everything(response):
    for theme in response.round.questionnaire_version.themes.all():
        save_answers(
            response=response,
            theme=theme,
            answers={q.pk: AnswerInput("dk") for q in theme.questions.all()},
        )


def test_start_response_refuses_a_closed_round():
    round = closed_round()
    with pytest.raises(ValidationError) as error:
        start_response(round=round)
    assert error.value.code == "round_closed"
    assert not Response.objects.exists()


def test_save_answers_writes_levels_and_copies_the_level():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    question = theme.questions.first()
    option = question.options.get(level=4)
    save_answers(response=response, theme=theme, answers={question.pk: AnswerInput(str(option.pk))})
    answer = Answer.objects.get()
    assert (answer.kind, answer.option, answer.level) == (Answer.Kind.LEVEL, option, 4)
    assert response.last_saved_at is not None


def test_save_answers_keeps_a_saved_choice_when_none_is_sent_but_updates_the_comment():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    question = theme.questions.first()
    AnswerFactory(response=response, question=question, comment="old")
    save_answers(response=response, theme=theme, answers={question.pk: AnswerInput("", "new")})
    answer = Answer.objects.get()
    assert (answer.level, answer.comment) == (3, "new")


def test_save_answers_changes_an_answer_in_place():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    question = theme.questions.first()
    AnswerFactory(response=response, question=question)
    save_answers(response=response, theme=theme, answers={question.pk: AnswerInput("na")})
    answer = Answer.objects.get()
    assert (answer.kind, answer.option, answer.level) == (Answer.Kind.NOT_APPLICABLE, None, None)


def test_save_answers_writes_nothing_for_an_empty_question():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    save_answers(
        response=response,
        theme=theme,
        answers={q.pk: AnswerInput("") for q in theme.questions.all()},
    )
    assert not Answer.objects.exists()


def test_save_answers_is_all_or_nothing():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    first, second, _ = theme.questions.all()
    answers = {first.pk: AnswerInput("dk"), second.pk: AnswerInput("nonsense")}
    with pytest.raises(ValidationError):
        save_answers(response=response, theme=theme, answers=answers)
    assert not Answer.objects.exists()


def test_save_answers_refuses_a_theme_of_another_version():
    response = ResponseFactory()
    other = published_version().themes.first()
    with pytest.raises(ValidationError) as error:
        save_answers(response=response, theme=other, answers={})
    assert error.value.code == "wrong_theme"


def test_save_answers_refuses_an_over_long_comment():
    response = ResponseFactory()
    theme = response.round.questionnaire_version.themes.first()
    question = theme.questions.first()
    with pytest.raises(ValidationError) as error:
        save_answers(
            response=response, theme=theme, answers={question.pk: AnswerInput("dk", "x" * 2001)}
        )
    assert error.value.code == "comment_too_long"
    assert not Answer.objects.exists()


def test_save_role_group_refuses_a_submitted_response():
    response = ResponseFactory(submitted_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        save_role_group(response=response, role_group="other")
    assert error.value.code == "submitted"


def test_theme_progress_counts_answered_questions_by_theme():
    response = ResponseFactory()
    first, second = response.round.questionnaire_version.themes.all()
    q1, q2, _ = first.questions.all()
    AnswerFactory(response=response, question=q1)
    AnswerFactory(response=response, question=q2, kind="", option=None)
    progress = theme_progress(response=response)
    assert [(p.theme, p.answered, p.total, p.status) for p in progress] == [
        (first, 1, 3, "In progress"),
        (second, 0, 3, "Not started"),
    ]


def test_submit_response_counts_once_and_stamps_the_time():
    response = ResponseFactory()
    answer_everything(response)
    submit_response(response=response)
    round = Round.objects.get()
    assert round.submitted_count == 1
    assert Response.objects.get().submitted_at == response.submitted_at
    with pytest.raises(ValidationError) as error:
        submit_response(response=Response.objects.get())
    assert error.value.code == "submitted"
    assert Round.objects.get().submitted_count == 1


def test_submit_response_refuses_a_stale_copy_of_a_submitted_response():
    response = ResponseFactory()
    answer_everything(response)
    stale = Response.objects.get()
    submit_response(response=response)
    with pytest.raises(ValidationError):
        submit_response(response=stale)
    assert Round.objects.get().submitted_count == 1


def test_submit_response_refuses_unanswered_questions():
    response = ResponseFactory()
    with pytest.raises(ValidationError) as error:
        submit_response(response=response)
    assert error.value.code == "incomplete"
    assert len(unanswered_questions(response=response)) == 6
    assert Round.objects.get().submitted_count == 0


def test_submit_response_refuses_a_missing_role_group():
    response = ResponseFactory(role_group="")
    answer_everything(response)
    with pytest.raises(ValidationError) as error:
        submit_response(response=response)
    assert error.value.code == "no_role_group"


def test_submit_response_refuses_a_closed_round():
    response = ResponseFactory()
    answer_everything(response)
    Round.objects.update(status=Round.Status.CLOSED)
    with pytest.raises(ValidationError) as error:
        submit_response(response=response)
    assert error.value.code == "round_closed"
    assert Response.objects.get().submitted_at is None


def test_issue_personal_links_creates_unstarted_personal_responses():
    round = RoundFactory(status=Round.Status.DRAFT)
    responses = issue_personal_links(round=round, count=3)
    assert len(responses) == 3
    assert Response.objects.filter(round=round, is_personal=True, started_at=None).count() == 3
    assert len({r.token for r in responses}) == 3
    assert all(len(r.token) >= 43 for r in responses)  # 256 bits, URL-safe base64


@pytest.mark.parametrize("count", [0, -1, 5001, "10", True])
def test_issue_personal_links_refuses_counts_outside_1_to_5000(count):
    with pytest.raises(ValidationError) as error:
        issue_personal_links(round=RoundFactory(), count=count)
    assert "1 to 5,000" in error.value.messages[0]
    assert not Response.objects.exists()


def test_issue_personal_links_refuses_a_closed_round():
    with pytest.raises(ValidationError):
        issue_personal_links(round=closed_round(), count=1)


def test_personal_links_csv_has_one_link_a_row_and_nothing_else():
    responses = issue_personal_links(round=RoundFactory(), count=2)
    file = io.StringIO()
    write_personal_links_csv(responses=responses, base_url="https://example.gov.uk", file=file)
    rows = list(csv.reader(io.StringIO(file.getvalue())))
    assert rows == [["link"]] + [[f"https://example.gov.uk/r/{r.token}/"] for r in responses]
