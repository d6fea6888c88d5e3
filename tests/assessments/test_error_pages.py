"""The site's own error pages. 400.html and 500.html get no context, so they must not need one."""

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize(
    "template, heading",
    [
        ("400.html", "Sorry, there is a problem with the request"),
        ("500.html", "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_without_context_render_with_the_service_name(template, heading):
    html = get_template(template).render()
    assert heading in html
    assert "Digital maturity self-assessment" in html
    assert "<title>Sorry" in html


@pytest.mark.django_db
def test_unknown_page_is_a_gov_uk_style_404():
    page = Client().get("/no-such-page/")
    assert page.status_code == 404
    assert b"Page not found" in page.content


def test_error_pages_link_to_the_accessibility_statement_and_privacy_page():
    # 500.html writes its footer links out, as it may not use the url tag.
    html = get_template("500.html").render()
    assert f'href="{reverse("accessibility")}"' in html
    assert f'href="{reverse("privacy")}"' in html
