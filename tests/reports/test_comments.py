"""Comments: a lead hides one and it is gone at once for every reader, though the screened
comments are cached; shown again, it is back; the access log says so."""

import pytest
from django.urls import reverse

from assessments.models import AccessLog, Answer, Membership
from tests.factories import OrganisationFactory, member_of, submit_responses

pytestmark = pytest.mark.django_db

COMMENT = "The case system crashes every Friday"
ONE_PERSON = "Only one person wrote this"


@pytest.fixture
def commented(round):
    submit_responses(round, 6, comment=COMMENT)
    answer = Answer.objects.filter(response__round=round, comment=COMMENT).first()
    Answer.objects.filter(pk=answer.pk).update(comment=ONE_PERSON)
    return round


def comments_page(client, round):
    return client.get(reverse("reports:comments", args=[round.pk])).content.decode()


def hide(client, answer, hidden=True):
    return client.post(
        reverse("reports:hide_comment", args=[answer.pk]), {"hidden": "true" if hidden else "false"}
    )


def test_a_hidden_comment_leaves_the_cached_comments_at_once_and_comes_back_when_shown(
    client, commented
):
    lead = member_of(commented.organisation)
    viewer = member_of(commented.organisation, Membership.Role.VIEWER)
    answer = Answer.objects.get(response__round=commented, comment=ONE_PERSON)
    client.force_login(viewer)
    assert ONE_PERSON in comments_page(client, commented)  # read, and so cached

    client.force_login(lead)
    assert hide(client, answer).status_code == 302
    client.force_login(viewer)
    assert ONE_PERSON not in comments_page(client, commented)

    client.force_login(lead)
    hide(client, answer, hidden=False)
    client.force_login(viewer)
    assert ONE_PERSON in comments_page(client, commented)
    actions = list(
        AccessLog.objects.filter(round=commented).values_list("action", flat=True).order_by("pk")
    )
    assert actions[-2:] == [AccessLog.Action.HIDE_COMMENT, AccessLog.Action.SHOW_COMMENT]


def test_a_viewer_or_another_organisations_lead_cannot_hide_a_comment(client, commented):
    answer = Answer.objects.filter(response__round=commented, comment=COMMENT).first()
    for user in (
        member_of(commented.organisation, Membership.Role.VIEWER),
        member_of(OrganisationFactory()),
    ):
        client.force_login(user)
        assert hide(client, answer).status_code == 404
    answer.refresh_from_db()
    assert not answer.comment_hidden
