"""The curious lead: with nothing but what the app shows, can they single anyone out?

Staff answer a round one by one, through the open link and personal links, in small and large
groups, some with comments. After every single submission the lead reads everything the app
offers: the round page, the report, the figures CSV, the respondent-level answers CSV, the
board summary PDF. Then they try what a curious lead would (the attacks below), and the test
fails if any of them reaches fewer than k people: the rule of docs/methodology.md, section 4.

This test talks to the app only through its pages and files, as the lead would, so it runs
unchanged against any version of the app: against the app before figures moved in snapshots,
it recovered the last respondent's answers at the first attack (two downloads one submission
apart).
"""

import csv
import functools
import io
import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Membership, Response, Round
from tests.factories import OrganisationFactory, RoundFactory, member_of

pytestmark = pytest.mark.django_db

GROUPS = ["frontline", "frontline", "digital", "corporate", "frontline", "leadership"]


@dataclass
class Observation:
    """Everything the lead could read at one moment."""

    submitted: int  # what the lead knows: how many had submitted when they looked
    round_page: str
    report: str
    figures: list[dict]
    answers: list[list[str]] | None  # None when the download is refused
    pdf_text: str
    comments: Counter = field(default_factory=Counter)

    def rows(self, kind):
        return [row for row in self.figures if row["row"] == kind]

    @property
    def responses(self):
        overall = self.rows("overall")
        return int(overall[0]["responses"]) if overall else 0

    def question_answers(self):
        """Question key -> how many answers its counts cover."""
        covered = {}
        for row in self.rows("question"):
            cells = [f"level_{n}" for n in range(1, 6)] + ["not_applicable", "dont_know"]
            covered[row["question"]] = sum(int(row[c] or 0) for c in cells)
        return covered

    def group_sizes(self):
        """Group label -> its responses, for each group with figures (by theme: the same)."""
        sizes = {}
        for row in self.rows("group") + self.rows("role_group"):
            label = row.get("group") or row.get("role_group")
            sizes[label] = int(row["responses"])
        return sizes


def read_csv(response):
    content = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(content)))


@functools.cache
def text_of(pdf):
    """A PDF's words. Most downloads repeat the one before (the same snapshot, from the
    cache), and reading a PDF's text takes longer than fetching it."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def observe(lead, round, submitted):
    round_page = lead.get(reverse("assessments:round", args=[round.pk])).content.decode()
    report = lead.get(reverse("reports:round", args=[round.pk])).content.decode()
    header, *rows = read_csv(lead.get(reverse("reports:figures_csv", args=[round.pk])))
    figures = [dict(zip(header, row, strict=True)) for row in rows]
    download = lead.get(reverse("reports:answers_csv", args=[round.pk]))
    answers = read_csv(download) if download.status_code == 200 else None
    pdf_text = text_of(lead.get(reverse("reports:board_pdf", args=[round.pk])).content)
    comments = Counter(re.findall(r"Said by respondent \d+", report + round_page))
    for theme in round.questionnaire_version.themes.all():
        page = lead.get(reverse("reports:theme", args=[round.pk, theme.key]))
        if page.status_code == 200:
            comments.update(re.findall(r"Said by respondent \d+", page.content.decode()))
    return Observation(submitted, round_page, report, figures, answers, pdf_text, comments)


def answer(round, group, rng, *, token=None, comment=""):
    """One respondent, through the open link or their personal link, answering everything."""
    respondent = Client()
    if token:
        respondent.get(reverse("assessments:resume", args=[token]))
        respondent.post(reverse("assessments:start"))
    else:
        respondent.post(reverse("assessments:open_link", args=[round.open_token]))
    respondent.post(reverse("assessments:about_you"), {"role_group": group})
    for theme in round.questionnaire_version.themes.prefetch_related("questions__options"):
        data = {}
        for question in theme.questions.all():
            data[f"q-{question.pk}"] = str(question.options.get(level=rng.randint(1, 5)).pk)
            data[f"comment-{question.pk}"] = comment
        respondent.post(reverse("assessments:theme", args=[theme.key]), data)
    assert respondent.post(reverse("assessments:submit")).status_code == 302


def small(difference, k):
    return 0 < abs(difference) < k


def attack(observations, k):
    """Every attack of a curious lead; each finding says what it recovered."""
    findings = []
    for before, after in itertools.combinations(observations, 2):
        # Two downloads at different times: their difference covers who came in between.
        if small(after.responses - before.responses, k):
            findings.append(
                f"the round's figures at {before.submitted} and {after.submitted} submissions "
                f"differ by {after.responses - before.responses} respondent(s)"
            )
        old, new = before.question_answers(), after.question_answers()
        for question in new.keys() & old.keys():
            if small(new[question] - old[question], k):
                findings.append(f"question {question}'s counts moved by fewer than k answers")
        old_groups, new_groups = before.group_sizes(), after.group_sizes()
        for group in new_groups.keys() | old_groups.keys():
            if small(new_groups.get(group, 0) - old_groups.get(group, 0), k):
                findings.append(f"group {group} moved by fewer than k between two downloads")
        # The round minus its groups, then and now: what is left must move by k too.
        rest_before = before.responses - sum(old_groups.values())
        rest_after = after.responses - sum(new_groups.values())
        if small(rest_after - rest_before, k):
            findings.append("the remainder outside the groups shown moved by fewer than k")
        # Respondent-level rows, differenced between two downloads.
        if before.answers is not None and after.answers is not None:
            added = Counter(map(tuple, after.answers[1:])) - Counter(map(tuple, before.answers[1:]))
            if small(sum(added.values()), k):
                findings.append("answers rows added between two downloads: fewer than k")
        # A comment appearing with fewer than k new people counted.
        if after.comments - before.comments and small(after.responses - before.responses, k):
            findings.append("a comment appeared with fewer than k new respondents counted")
    for seen in observations:
        if small(seen.responses, k):
            findings.append(f"figures from {seen.responses} respondent(s)")
        for group, size in seen.group_sizes().items():
            if small(size, k):
                findings.append(f"group {group} shown with {size} respondent(s)")
        groups = seen.group_sizes()
        rest = seen.responses - sum(groups.values())
        if groups and small(rest, k):
            findings.append(f"the round minus its groups leaves {rest} respondent(s)")
        if seen.answers is not None:
            header = seen.answers[0]
            if any(name in header for name in ("role_group", "group", "unit")):
                findings.append("group labels sit on respondent-level rows")
            if small(len(seen.answers) - 1, k):
                findings.append("respondent-level rows of fewer than k people")
        shown = re.search(r"(\d+) responses? submitted|include (\d+) of", seen.pdf_text)
        if (
            shown
            and seen.responses
            and int(next(filter(None, shown.groups())))
            not in (
                seen.responses,
                seen.submitted,
            )
        ):
            findings.append("the PDF shows other figures than the CSV")
    return findings


def group_words(page, label):
    """What the round page says of a group's count."""
    match = re.search(
        rf"<th[^>]*>(?:<bdi>)?{re.escape(label)}(?:</bdi>)?</th>\s*<td[^>]*>([^<]+)</td>", page
    )
    return match.group(1).strip() if match else None


@pytest.mark.parametrize("k", [3, 5])
def test_the_curious_lead_singles_nobody_out(client, k):
    rng = random.Random(k)
    organisation = OrganisationFactory()
    round = RoundFactory(organisation=organisation, anonymity_threshold=k)
    lead = Client()
    lead.force_login(member_of(organisation, Membership.Role.LEAD))
    personal = list(
        Response.objects.bulk_create(Response(round=round, is_personal=True) for _ in range(6))
    )
    observations = [observe(lead, round, 0)]
    for n, group in enumerate(GROUPS * 3, start=1):
        token = personal.pop().token if n % 3 == 0 and personal else None
        comment = f"Said by respondent {n}" if n % 4 == 0 else ""
        answer(round, group, rng, token=token, comment=comment)
        observations.append(observe(lead, round, n))
    Round.objects.get(pk=round.pk).close()
    round.refresh_from_db()
    observations.append(observe(lead, round, len(GROUPS) * 3))

    findings = attack(observations, k)
    assert not findings, "The lead recovered:\n" + "\n".join(sorted(set(findings)))

    # The round's final figures count everyone: the protection costs no data in the end.
    assert observations[-1].responses == len(GROUPS) * 3
    # A group's count on the round page reads the same whatever its true count under k.
    final = observations[-1].round_page
    assert group_words(final, "Senior leadership") == group_words(final, "Other")
