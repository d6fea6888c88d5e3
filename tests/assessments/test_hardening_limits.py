"""Limits: request sizes, a long list of rounds in pages, and caps on what one organisation
can make."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Membership, Response, Round
from tests.assessments.test_rounds import assert_gov_uk_error, round_data, signed_in, url
from tests.factories import OrganisationFactory, RoundFactory, closed_round

pytestmark = pytest.mark.django_db


def test_request_sizes_are_bounded_below_djangos_defaults(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


@pytest.mark.parametrize(
    "data",
    [
        {"username": "lead@example.gov.uk", "password": "x" * (1024 * 1024 + 1)},
        {**{f"f{n}": "1" for n in range(1001)}, "username": "lead@example.gov.uk"},
    ],
    ids=["body over 1 MB", "over 1,000 fields"],
)
def test_an_over_large_post_is_refused_with_400(data):
    page = Client().post(reverse("login"), data)
    assert page.status_code == 400


def test_a_long_list_of_rounds_comes_in_pages(version):
    organisation = OrganisationFactory()
    RoundFactory.create_batch(45, organisation=organisation, questionnaire_version=version)
    viewer = signed_in(organisation, role=Membership.Role.VIEWER)

    pages = [viewer.get(url("organisation", organisation), {"page": n}) for n in (1, 2, 3)]

    assert [len(page.context["rounds"]) for page in pages] == [20, 20, 5]
    html = pages[1].content.decode()
    assert '<nav class="govuk-pagination" aria-label="Pages of rounds">' in html
    assert 'href="?page=1" rel="prev"' in html and 'href="?page=3" rel="next"' in html
    assert 'aria-label="Page 2" aria-current="page"' in html
    shown = {round.pk for page in pages for round in page.context["rounds"]}
    assert shown == set(organisation.rounds.values_list("pk", flat=True))


def test_an_organisation_cannot_make_more_rounds_than_the_cap(settings, version):
    settings.MAX_ROUNDS_PER_ORGANISATION = 3
    organisation = OrganisationFactory(name="Borsetshire Council")
    RoundFactory.create_batch(3, organisation=organisation, questionnaire_version=version)
    lead = signed_in(organisation)

    page = lead.post(url("create_round", organisation), round_data())

    assert_gov_uk_error(page, "An organisation can have up to 3 rounds, and Borsetshire Council")
    assert organisation.rounds.count() == 3


def test_personal_links_are_capped_per_organisation(settings, version):
    settings.MAX_PERSONAL_LINKS_PER_ORGANISATION = 10
    organisation = OrganisationFactory()
    first, second = RoundFactory.create_batch(
        2, organisation=organisation, questionnaire_version=version
    )
    # A closed round's links open nothing any more, and do not count.
    finished = closed_round(organisation=organisation, version=version)
    Response.objects.bulk_create(Response(round=finished, is_personal=True) for _ in range(10))
    lead = signed_in(organisation)

    assert lead.post(url("personal_links", first), {"count": "6"}).status_code == 200
    refused = lead.post(url("personal_links", second), {"count": "5"})

    assert_gov_uk_error(refused, "An organisation can have up to 10 personal links")
    assert "this one has 6" in refused.content.decode()
    assert second.responses.count() == 0
    assert lead.post(url("personal_links", second), {"count": "4"}).status_code == 200
    assert Round.objects.filter(organisation=organisation).count() == 3
