"""The respondent's own radar on their confirmation page."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import RoundFactory, submit_responses

pytestmark = pytest.mark.django_db


def test_confirmation_page_draws_the_respondents_own_scores(client):
    round = RoundFactory()
    first, second = round.questionnaire_version.themes.all()
    (response,) = submit_responses(round, 1, levels={first.key: 2, second.key: 5})
    client.get(reverse("assessments:resume", args=[response.token]))
    page = client.get(reverse("reports:confirmation"))
    assert page.status_code == 200
    html = page.content.decode()
    match = re.search(r'<script id="respondent-radar" type="application/json">(.*?)</script>', html)
    radar = json.loads(match.group(1))
    assert radar["data"][0]["r"] == [25, 100, 25]
    assert radar["data"][0]["customdata"] == [first.title, second.title, first.title]
    assert 'data-chart="respondent-radar"' in html
    assert "/static/build/plotly.min.js" in html
    # The table stays, with the same figures.
    assert [row["score"] for row in page.context["scores"]] == [25, 100]
