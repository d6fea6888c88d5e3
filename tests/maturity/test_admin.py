"""The admin used as an admin would: pages fetched, forms submitted as a browser would."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from maturity.models import Question, QuestionnaireVersion
from tests.factories import UserFactory, draft_version, published_version

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The name/value pairs a browser would submit for the first form with a CSRF token."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if attrs.get("type") else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = [name, ""]
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self._select[1] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


class FieldNames(HTMLParser):
    """Each form input of a page, with what names it; and every id the page has."""

    UNNAMED_TYPES = {"hidden", "submit", "button", "image", "reset"}

    def __init__(self):
        super().__init__()
        self.inputs = []
        self.labelled_ids = set()
        self.ids = set()
        self.inside_label = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label":
            self.inside_label += 1
            self.labelled_ids.add(attrs.get("for"))
        elif tag in {"input", "select", "textarea"} and attrs.get("type") not in self.UNNAMED_TYPES:
            self.inputs.append({**attrs, "wrapped": self.inside_label > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.inside_label -= 1

    def unnamed(self):
        return [
            field.get("name")
            for field in self.inputs
            if not (
                field.get("aria-label")
                or field.get("aria-labelledby")
                or field["wrapped"]
                or field.get("id") in self.labelled_ids
            )
        ]

    def dangling_descriptions(self):
        return [
            (field.get("name"), ref)
            for field in self.inputs
            for ref in field.get("aria-describedby", "").split()
            if ref not in self.ids
        ]


def field_names(response):
    parser = FieldNames()
    parser.feed(response.content.decode())
    return parser


def form_data(response, form_id):
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        # Django's textarea renders a leading newline that browsers drop.
        data[name] = value[1:] if value.startswith("\n") else value
    return data


def test_staff_only(client):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(reverse("admin:maturity_questionnaireversion_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_version_list_shows_status_and_counts(admin_client):
    published_version(themes=2, questions=3)

    response = admin_client.get(reverse("admin:maturity_questionnaireversion_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Published" in content
    assert '<td class="field-question_count">6</td>' in content


def test_admin_edits_a_draft_question_on_its_theme_page(admin_client):
    version = draft_version()
    theme = version.themes.first()
    url = reverse("admin:maturity_theme_change", args=[theme.pk])
    page = admin_client.get(url)
    data = form_data(page, "theme_form")
    text_field = next(name for name in data if name.endswith("-text") and "options" not in name)
    descriptor_field = next(name for name in data if name.endswith("-descriptor"))
    data[text_field] = "How is technology part of every service?"
    data[descriptor_field] = "A rewritten level descriptor."

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Question.objects.filter(text="How is technology part of every service?").exists()
    assert (
        theme.questions.first().options.filter(descriptor="A rewritten level descriptor.").exists()
    )


def test_published_theme_page_is_read_only(admin_client):
    version = published_version()
    theme = version.themes.first()
    url = reverse("admin:maturity_theme_change", args=[theme.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"title": "Changed"})

    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    theme.refresh_from_db()
    assert theme.title != "Changed"


def test_published_version_page_says_why_it_is_read_only(admin_client):
    version = published_version()

    page = admin_client.get(
        reverse("admin:maturity_questionnaireversion_change", args=[version.pk])
    )

    content = page.content.decode()
    assert "read-only, so that answers given against it keep their meaning" in content
    assert "Create a new draft from this version" in content
    assert "Publish this version" not in content


def test_publish_action_lists_every_problem(admin_client):
    version = draft_version()
    version.levels.get(level=2).delete()
    version.themes.first().questions.first().options.get(level=1).delete()

    response = admin_client.post(
        reverse("admin:maturity_questionnaireversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "was not published" in messages[0]
    assert "(1) levels:" in messages[0] and "(2) theme" in messages[0]
    version.refresh_from_db()
    assert version.status == QuestionnaireVersion.Status.DRAFT


def test_publish_button_publishes_a_complete_draft(admin_client):
    version = draft_version()

    response = admin_client.post(
        reverse("admin:maturity_questionnaireversion_publish", args=[version.pk]), follow=True
    )

    version.refresh_from_db()
    assert version.status == QuestionnaireVersion.Status.PUBLISHED
    assert any("Published" in str(m) for m in response.context["messages"])


def test_clone_action_creates_a_draft_copy(admin_client):
    version = published_version()

    response = admin_client.post(
        reverse("admin:maturity_questionnaireversion_changelist"),
        {"action": "create_draft", "_selected_action": [version.pk]},
        follow=True,
    )

    draft = QuestionnaireVersion.objects.get(number=version.number + 1)
    assert draft.status == QuestionnaireVersion.Status.DRAFT
    assert draft.themes.count() == version.themes.count()
    assert any("draft copy" in str(m) for m in response.context["messages"])


def test_clone_button_opens_the_new_draft(admin_client):
    version = published_version()

    response = admin_client.post(
        reverse("admin:maturity_questionnaireversion_clone", args=[version.pk])
    )

    draft = QuestionnaireVersion.objects.get(number=version.number + 1)
    assert response.url == reverse("admin:maturity_questionnaireversion_change", args=[draft.pk])


def test_edit_publish_clone_round_trip(admin_client):
    version = draft_version()
    theme = version.themes.first()
    url = reverse("admin:maturity_theme_change", args=[theme.pk])
    data = form_data(admin_client.get(url), "theme_form")
    data["title"] = "Leadership at the top table"
    assert admin_client.post(url, data).status_code == 302

    admin_client.post(reverse("admin:maturity_questionnaireversion_publish", args=[version.pk]))
    admin_client.post(reverse("admin:maturity_questionnaireversion_clone", args=[version.pk]))

    draft = QuestionnaireVersion.objects.get(number=version.number + 1)
    assert draft.themes.first().title == "Leadership at the top table"
    assert draft.status == QuestionnaireVersion.Status.DRAFT


def test_theme_preview_shows_questions_as_respondents_see_them(admin_client):
    version = draft_version()
    theme = version.themes.first()
    question = theme.questions.first()

    response = admin_client.get(reverse("admin:maturity_theme_preview", args=[theme.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert question.text in content
    assert question.options.get(level=4).descriptor in content
    assert "Don’t know" in content or "Don't know" in content


def test_question_search_finds_descriptors(admin_client):
    version = draft_version()
    option = version.themes.first().questions.first().options.get(level=2)

    response = admin_client.get(
        reverse("admin:maturity_question_changelist"), {"q": option.descriptor}
    )

    assert response.context["cl"].result_count == 1


def theme_page(client, theme):
    return client.get(reverse("admin:maturity_theme_change", args=[theme.pk]))


def test_every_input_of_a_theme_page_has_a_name(admin_client):
    theme = draft_version(themes=1).themes.get()

    page = field_names(theme_page(admin_client, theme))

    # The theme's own fields, and for each question its fields, options and delete boxes.
    assert len(page.inputs) > 3 * (5 * 3), "the page lost its inputs"
    assert page.unnamed() == []
    assert page.dangling_descriptions() == []


def test_every_input_of_a_version_page_has_a_name(admin_client):
    version = draft_version()

    page = field_names(
        admin_client.get(reverse("admin:maturity_questionnaireversion_change", args=[version.pk]))
    )

    assert any(field.get("name", "").startswith("themes-") for field in page.inputs)
    assert page.unnamed() == []
    assert page.dangling_descriptions() == []


def test_inline_inputs_name_their_level_and_question(admin_client):
    theme = draft_version(themes=1).themes.get()
    question = theme.questions.first()
    question.text = "How do service teams and technology teams plan their work together each year?"
    question.save()

    page = field_names(theme_page(admin_client, theme))

    named = {field.get("aria-label") for field in page.inputs}
    whose = "question ‘How do service teams and technology teams plan…’"
    assert f"Descriptor for level 3 of {whose}" in named
    assert f"Delete level 3 of {whose}" in named
    assert f"Delete {whose}" in named
    assert "Text for the recommendation for level 2" in named
    # The page's template rows for added questions and options say so.
    assert "Descriptor for a new option of a new question" in named


def test_descriptor_boxes_are_two_lines(admin_client):
    theme = draft_version(themes=1).themes.get()

    page = field_names(theme_page(admin_client, theme))

    descriptors = [field for field in page.inputs if field["name"].endswith("-descriptor")]
    assert descriptors
    assert {field["rows"] for field in descriptors} == {"2"}


def test_saving_a_theme_returns_to_its_version(admin_client):
    version = draft_version()
    theme = version.themes.first()
    url = reverse("admin:maturity_theme_change", args=[theme.pk])
    data = form_data(admin_client.get(url), "theme_form")
    data["title"] = "Leadership at the top table"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("admin:maturity_questionnaireversion_change", args=[version.pk])
    theme.refresh_from_db()
    assert theme.title == "Leadership at the top table"


def test_save_and_continue_stays_on_the_theme(admin_client):
    theme = draft_version().themes.first()
    url = reverse("admin:maturity_theme_change", args=[theme.pk])
    data = form_data(admin_client.get(url), "theme_form")

    response = admin_client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 302
    assert response.url == url


def test_adding_a_theme_returns_to_its_version(admin_client):
    version = draft_version(themes=1)
    url = reverse("admin:maturity_theme_add")
    data = form_data(admin_client.get(url), "theme_form")
    data.update(questionnaire_version=version.pk, key="new-theme", title="A new theme")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert response.url == reverse("admin:maturity_questionnaireversion_change", args=[version.pk])
    assert version.themes.filter(key="new-theme").exists()


@pytest.mark.parametrize("make_version", [draft_version, published_version])
def test_theme_page_links_to_its_preview_and_its_version(admin_client, make_version):
    version = make_version()
    theme = version.themes.first()

    content = theme_page(admin_client, theme).content.decode()

    preview = reverse("admin:maturity_theme_preview", args=[theme.pk])
    assert f'<a href="{preview}">Preview as a respondent</a>' in content
    version_url = reverse("admin:maturity_questionnaireversion_change", args=[version.pk])
    assert f'<a href="{version_url}">{version}</a>' in content


def test_version_page_links_to_each_theme(admin_client):
    version = draft_version()

    content = admin_client.get(
        reverse("admin:maturity_questionnaireversion_change", args=[version.pk])
    ).content.decode()

    for theme in version.themes.all():
        assert reverse("admin:maturity_theme_change", args=[theme.pk]) in content
        assert reverse("admin:maturity_theme_preview", args=[theme.pk]) in content


def test_published_theme_page_has_no_inputs(admin_client):
    theme = published_version().themes.first()

    page = field_names(theme_page(admin_client, theme))

    assert [field["name"] for field in page.inputs if "name" in field] == []
