"""The theme page costs the same number of queries however many questions and responses."""

import pytest
from django.urls import reverse

from assessments.models import Answer
from maturity.versioning import version_content
from tests.factories import ResponseFactory, RoundFactory, published_version

pytestmark = pytest.mark.django_db

# Session, response, saved answers: the bank comes from the process's shared copy.
THEME_PAGE_QUERIES = 3
# The same, then in a savepoint: the response locked, its saved answers, one upsert, the
# timestamp.
SAVE_QUERIES = 11
# The page, and the answered questions for the note of other themes still to answer.
MISSING_ANSWERS_QUERIES = 4


@pytest.fixture(params=[3, 12], ids=["3-questions", "12-questions"])
def busy_round(request):
    """A round with 30 other responses answering every question, and one in the session."""
    round = RoundFactory(questionnaire_version=published_version(themes=2, questions=request.param))
    theme = round.questionnaire_version.themes.first()
    questions = list(theme.questions.prefetch_related("options"))
    others = ResponseFactory.create_batch(30, round=round)
    Answer.objects.bulk_create(
        Answer(response=other, question=q, kind="level", option=q.options.all()[2], level=3)
        for other in others
        for q in questions
    )
    # Read once a process, whatever the number of requests (maturity.versioning).
    version_content(round.questionnaire_version)
    return round, theme, questions


def test_theme_page_get_has_a_constant_query_count(
    client, busy_round, django_assert_max_num_queries
):
    round, theme, questions = busy_round
    response = ResponseFactory(round=round)
    client.get(reverse("assessments:resume", args=[response.token]))
    client.post(
        reverse("assessments:theme", args=[theme.key]),
        {f"q-{q.pk}": "dk" for q in questions[:2]},
    )
    with django_assert_max_num_queries(THEME_PAGE_QUERIES):
        page = client.get(reverse("assessments:theme", args=[theme.key]))
    assert page.status_code == 200


def test_theme_page_post_has_a_constant_query_count(
    client, busy_round, django_assert_max_num_queries
):
    round, theme, questions = busy_round
    response = ResponseFactory(round=round)
    client.get(reverse("assessments:resume", args=[response.token]))
    data = {f"q-{q.pk}": str(q.options.all()[3].pk) for q in questions}
    data.update({f"comment-{q.pk}": "A comment." for q in questions})
    with django_assert_max_num_queries(SAVE_QUERIES):
        saved = client.post(reverse("assessments:theme", args=[theme.key]), data)
    assert saved.status_code == 302
    assert response.answers.count() == len(questions)


def test_theme_page_with_errors_has_a_constant_query_count(
    client, busy_round, django_assert_max_num_queries
):
    round, theme, questions = busy_round
    response = ResponseFactory(round=round)
    client.get(reverse("assessments:resume", args=[response.token]))
    url = reverse("assessments:theme", args=[theme.key]) + "?return=check&validate=1"
    with django_assert_max_num_queries(MISSING_ANSWERS_QUERIES):
        page = client.get(url)
    assert len(page.context["form"].errors) == len(questions)
