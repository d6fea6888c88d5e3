import copy
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from maturity.bank import DEFAULT_BANK, dump_bank, read_bank_file
from maturity.models import AnswerOption, Question, QuestionnaireVersion, Theme
from maturity.versioning import load_bank
from tests.factories import default_bank

# Bank files are loaded into a database that holds no question bank yet.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_bank")]


def load(path, *args):
    out = StringIO()
    call_command("load_question_bank", str(path), *args, stdout=out)
    return out.getvalue()


# The tests' own reading and writing of bank files uses libyaml, many times quicker than the
# pure-Python parser the loader under test uses.
def bank_data():
    return yaml.load(DEFAULT_BANK.read_text(), Loader=yaml.CSafeLoader)


def write(tmp_path, data, name="bank.yaml"):
    path = tmp_path / name
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False))
    return path


@pytest.fixture
def loaded_bank():
    """The default bank, loaded and published as `load_question_bank` leaves it."""
    return load_bank(default_bank())


def counts():
    return (
        QuestionnaireVersion.objects.count(),
        Theme.objects.count(),
        Question.objects.count(),
        AnswerOption.objects.count(),
    )


def test_default_bank_meets_the_content_rules():
    data = read_bank_file(DEFAULT_BANK)

    questions = [q for theme in data["themes"] for q in theme["questions"]]
    assert len(data["themes"]) >= 9
    assert len(questions) >= 45
    assert {
        "fused-technology",
        "startup-mindset",
        "digital-leadership",
        "build-versus-buy",
        "user-centred-services",
        "data-and-platforms",
        "skills-and-culture",
        "adaptivity-and-resilience",
        "staff-digital-experience",
    } <= {theme["key"] for theme in data["themes"]}
    for question in questions:
        assert question["why"] and question["good"]
        descriptors = list(question["levels"].values())
        assert len(set(descriptors)) == 5, question["key"]
    for theme in data["themes"]:
        assert set(theme["recommendations"]) == {1, 2, 3, 4, 5}


def test_loading_the_default_bank_publishes_version_1():
    output = load(DEFAULT_BANK)

    version = QuestionnaireVersion.objects.get()
    assert version.number == 1
    assert version.status == QuestionnaireVersion.Status.PUBLISHED
    assert "Loaded" in output and "47 questions" in output


def test_loading_the_same_file_twice_changes_nothing():
    load(DEFAULT_BANK)
    before = counts()

    output = load(DEFAULT_BANK)

    assert counts() == before
    assert "No change" in output


def test_a_changed_file_becomes_a_new_version_and_leaves_the_old_one_alone(tmp_path):
    load(DEFAULT_BANK)
    data = bank_data()
    data["themes"][0]["questions"][0]["text"] = "A reworded question?"

    load(write(tmp_path, data))

    first, second = QuestionnaireVersion.objects.order_by("number")
    assert first.status == QuestionnaireVersion.Status.RETIRED
    assert second.status == QuestionnaireVersion.Status.PUBLISHED
    assert first.themes.first().questions.first().text != "A reworded question?"
    assert second.themes.first().questions.first().text == "A reworded question?"


def test_draft_option_leaves_a_changed_file_unpublished(tmp_path):
    load(DEFAULT_BANK)
    data = bank_data()
    data["themes"][0]["title"] = "Technology everywhere"

    load(write(tmp_path, data), "--draft")

    latest = QuestionnaireVersion.objects.order_by("-number").first()
    assert latest.status == QuestionnaireVersion.Status.DRAFT
    assert latest.questionnaire.current_version().number == 1


def test_export_then_load_reproduces_the_version_exactly(tmp_path):
    load(DEFAULT_BANK)
    exported = tmp_path / "export.yaml"

    call_command("export_question_bank", "--output", str(exported), stderr=StringIO())

    # The default file is itself in the export layout, byte for byte.
    assert exported.read_text() == DEFAULT_BANK.read_text()
    assert "No change" in load(exported)


def test_export_of_a_loaded_file_reads_back_as_the_same_bank(tmp_path):
    data = bank_data()
    data["themes"][1]["questions"][2]["references"] = ["Local Digital Declaration principle 2"]
    data["themes"][2]["weight"] = 2
    question(data, 3)["not_applicable"] = True
    source = write(tmp_path, data, "source.yaml")
    load(source)
    exported = tmp_path / "export.yaml"
    exported.write_text(dump_bank(QuestionnaireVersion.objects.get().as_bank()))

    assert read_bank_file(exported) == read_bank_file(source)


def test_export_writes_to_standard_output():
    load(DEFAULT_BANK)
    out = StringIO()

    call_command("export_question_bank", stdout=out)

    assert yaml.safe_load(out.getvalue())["questionnaire"]["slug"] == "digital-maturity"


def test_export_to_an_unwritable_place_fails_cleanly(tmp_path):
    load(DEFAULT_BANK)

    with pytest.raises(CommandError, match="cannot be written"):
        call_command(
            "export_question_bank",
            "--output",
            str(tmp_path / "missing" / "x.yaml"),
            stderr=StringIO(),
        )


def question(data, theme=0, index=0):
    return data["themes"][theme]["questions"][index]


def broken(mutate):
    data = bank_data()
    mutate(data)
    return data


BAD_BANKS = {
    "missing field": (
        lambda d: question(d).pop("text"),
        "question 'fused-tech-in-service-teams': missing field 'text'",
    ),
    "duplicate key": (
        lambda d: question(d, 1).update(key=question(d)["key"]),
        "question key 'fused-tech-in-service-teams' is used by 2 questions",
    ),
    "four options": (
        lambda d: question(d)["levels"].pop(4),
        "has 4 options (missing level 4); needs exactly one for each level 1 to 5",
    ),
    "levels not 1 to 5": (
        lambda d: question(d)["levels"].update({6: question(d)["levels"].pop(5)}),
        "missing level 5; level 6 is not 1 to 5",
    ),
    "unknown field in a theme": (
        lambda d: d["themes"][0].update(theme="not-a-theme"),
        "theme 'fused-technology': unknown field 'theme'",
    ),
    "theme without questions": (
        lambda d: d["themes"][0].update(questions=[]),
        "theme 'fused-technology': has no questions",
    ),
    "missing recommendation": (
        lambda d: d["themes"][0]["recommendations"].pop(5),
        "theme 'fused-technology': recommendations: has 4 recommendations (missing level 5)",
    ),
    "bad weight": (
        lambda d: question(d).update(weight=0),
        "'weight' must be a whole number from 1 to 10",
    ),
    "bad key": (
        lambda d: d["themes"][0].update(key="Fused Technology"),
        "'key' 'Fused Technology' must be lower-case letters",
    ),
}


@pytest.mark.parametrize("case", BAD_BANKS, ids=list(BAD_BANKS))
def test_malformed_bank_names_file_item_and_problem_and_changes_nothing(
    loaded_bank, tmp_path, case
):
    before = counts()
    mutate, expected = BAD_BANKS[case]
    path = write(tmp_path, broken(mutate))

    with pytest.raises(CommandError) as raised:
        load(path)

    message = str(raised.value)
    assert str(path) in message
    assert expected in message
    assert counts() == before


def test_every_problem_in_a_file_is_reported(tmp_path):
    def mutate(data):
        question(data)["levels"].pop(1)
        question(data, 2, 1).pop("why")
        data["themes"][3]["questions"] = []

    with pytest.raises(CommandError) as raised:
        load(write(tmp_path, broken(mutate)))

    assert "3 problems" in str(raised.value)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("format: 1\nthemes:\n  - key: a\n   title: [unclosed\n")

    with pytest.raises(CommandError, match=r"bad\.yaml: .*not valid YAML at line \d+"):
        load(path)
    assert counts() == (0, 0, 0, 0)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="nowhere.yaml: .*cannot be read"):
        load(tmp_path / "nowhere.yaml")


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")

    with pytest.raises(CommandError, match="must be a mapping"):
        load(path)


def test_loading_does_not_change_the_parsed_structure():
    data = read_bank_file(DEFAULT_BANK)
    snapshot = copy.deepcopy(data)

    from maturity.versioning import load_bank

    load_bank(data)

    assert data == snapshot
