"""Reports under attack: private pages kept out of caches, and text that cannot reverse one."""

import pytest
from django.urls import reverse

from maturity.versioning import version_content

pytestmark = pytest.mark.django_db

DOWNLOADS = ["board_pdf", "full_pdf", "figures_csv", "answers_csv", "method_json"]


def test_every_report_page_and_download_is_kept_out_of_caches(lead_client, round):
    themes = version_content(round.questionnaire_version).themes
    urls = [
        reverse("reports:round", args=[round.pk]),
        *(reverse("reports:theme", args=[round.pk, theme.key]) for theme in themes),
        *(reverse(f"reports:{name}", args=[round.pk]) for name in DOWNLOADS),
        reverse("reports:comments", args=[round.pk]),
    ]
    for url in urls:
        response = lead_client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
