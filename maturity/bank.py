"""Question bank files: reading and writing the YAML format, and loading it into versions.

The file holds one questionnaire in the structure `maturity.versioning` describes. Loading
is idempotent: a file whose content equals an existing version changes nothing; a changed
file becomes a new version (published, unless asked to stay a draft), never an edit of an
existing one. `version_to_dict` is the export: writing it back with `dump_bank` and loading
that file reproduces the version exactly.
"""

from pathlib import Path

import yaml
from django.db import transaction

from maturity.models import (
    AnswerOption,
    MaturityLevel,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Recommendation,
    Theme,
)
from maturity.versioning import FORMAT, bank_problems

DEFAULT_BANK = Path(__file__).resolve().parent / "question_bank.yaml"

HEADER = """\
# Question bank for the digital maturity self-assessment.
# Load it with `python manage.py load_question_bank FILE`: a changed file becomes a new
# version; published versions are never edited. docs/question-bank.md explains each field.
"""


class BankError(Exception):
    """A bank file that cannot be loaded; `problems` lists every reason."""

    def __init__(self, source, problems):
        self.source = str(source)
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = f"{self.source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            message = f"{self.source}: {len(self.problems)} problems:\n{lines}"
        super().__init__(message)


def read_bank_file(path):
    """Parse and check a bank file; return its content in the normalised structure."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BankError(path, [f"cannot be read ({error.strerror or error})"]) from error
    except UnicodeDecodeError as error:
        raise BankError(path, ["is not UTF-8 text"]) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BankError(path, [f"is not valid YAML{line}: {problem}"]) from error
    problems = bank_problems(data)
    if problems:
        raise BankError(path, problems)
    return normalise(data)


def normalise(data):
    """Fill in optional fields with their defaults, so equal banks compare equal."""
    questionnaire = data["questionnaire"]
    return {
        "format": FORMAT,
        "questionnaire": {
            "slug": questionnaire["slug"],
            "name": questionnaire["name"].strip(),
            "description": questionnaire.get("description", "").strip(),
        },
        "levels": [
            {
                "level": level["level"],
                "name": level["name"].strip(),
                "description": level["description"].strip(),
            }
            for level in sorted(data["levels"], key=lambda level: level["level"])
        ],
        "themes": [
            {
                "key": theme["key"],
                "title": theme["title"].strip(),
                "description": theme.get("description", "").strip(),
                "weight": theme.get("weight", 1),
                "questions": [
                    {
                        "key": question["key"],
                        "text": question["text"].strip(),
                        "why": question["why"].strip(),
                        "good": question["good"].strip(),
                        "weight": question.get("weight", 1),
                        "not_applicable": question.get("not_applicable", False),
                        "dont_know": question.get("dont_know", True),
                        "references": [ref.strip() for ref in question.get("references", [])],
                        "levels": {
                            level: question["levels"][level].strip()
                            for level in sorted(question["levels"])
                        },
                    }
                    for question in theme["questions"]
                ],
                "recommendations": {
                    level: theme["recommendations"][level].strip()
                    for level in sorted(theme["recommendations"])
                },
            }
            for theme in data["themes"]
        ],
    }


def version_to_dict(version):
    """A version's content in the bank structure (not normalised if the draft is incomplete)."""
    themes = version.themes.prefetch_related("questions__options", "recommendations")
    return {
        "format": FORMAT,
        "questionnaire": {
            "slug": version.questionnaire.slug,
            "name": version.questionnaire.name,
            "description": version.description,
        },
        "levels": [
            {"level": level.level, "name": level.name, "description": level.description}
            for level in version.levels.all()
        ],
        "themes": [
            {
                "key": theme.key,
                "title": theme.title,
                "description": theme.description,
                "weight": theme.weight,
                "questions": [
                    {
                        "key": question.concept_key,
                        "text": question.text,
                        "why": question.why,
                        "good": question.good,
                        "weight": question.weight,
                        "not_applicable": question.allow_not_applicable,
                        "dont_know": question.allow_dont_know,
                        "references": question.reference_list,
                        "levels": {
                            option.level: option.descriptor for option in question.options.all()
                        },
                    }
                    for question in theme.questions.all()
                ],
                "recommendations": {rec.level: rec.text for rec in theme.recommendations.all()},
            }
            for theme in themes
        ],
    }


def dump_bank(data):
    """The bank as YAML text, in the layout of the default bank file."""
    data = _without_empty_references(data)
    body = yaml.dump(
        data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=96, indent=2
    )
    return HEADER + body


def _without_empty_references(data):
    themes = []
    for theme in data["themes"]:
        questions = [
            {field: value for field, value in question.items() if field != "references" or value}
            for question in theme["questions"]
        ]
        themes.append({**theme, "questions": questions})
    return {**data, "themes": themes}


class _BankDumper(yaml.SafeDumper):
    """Block style throughout, lists indented under their key, long text folded."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper, text):
    style = ">" if len(text) > 80 and "\n" not in text else None
    if "\n" in text:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BankDumper.add_representer(str, _represent_text)


@transaction.atomic
def load_bank(data, *, publish=True):
    """Load normalised bank `data`; return (version, created).

    Returns the existing version and False when one already holds exactly this content.
    """
    slug = data["questionnaire"]["slug"]
    questionnaire, _ = Questionnaire.objects.select_for_update().get_or_create(
        slug=slug, defaults={"name": data["questionnaire"]["name"]}
    )
    for version in questionnaire.versions.order_by("-number"):
        if version.status == QuestionnaireVersion.Status.RETIRED:
            continue
        if normalise_or_none(version_to_dict(version)) == data:
            return version, False
    if questionnaire.name != data["questionnaire"]["name"]:
        # The name is a label, not versioned content: answers do not depend on it.
        questionnaire.name = data["questionnaire"]["name"]
        questionnaire.save(update_fields=["name"])
    version = create_version(questionnaire=questionnaire, data=data)
    if publish:
        version.publish()
    return version, True


def normalise_or_none(data):
    """The normalised form of a version's content, or None for an incomplete draft."""
    return None if bank_problems(data) else normalise(data)


def create_version(*, questionnaire, data):
    """A new draft of `questionnaire` holding `data`, numbered after its latest version."""
    latest = questionnaire.versions.order_by("-number").first()
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=latest.number + 1 if latest else 1,
        description=data["questionnaire"]["description"],
        notes="Loaded from a bank file.",
        based_on=latest,
    )
    MaturityLevel.objects.bulk_create(
        MaturityLevel(questionnaire_version=version, **level) for level in data["levels"]
    )
    themes = Theme.objects.bulk_create(
        Theme(
            questionnaire_version=version,
            key=theme["key"],
            title=theme["title"],
            description=theme["description"],
            weight=theme["weight"],
            order=order,
        )
        for order, theme in enumerate(data["themes"], start=1)
    )
    questions = []
    for theme, theme_data in zip(themes, data["themes"], strict=True):
        for order, question in enumerate(theme_data["questions"], start=1):
            questions.append(
                Question(
                    theme=theme,
                    concept_key=question["key"],
                    text=question["text"],
                    why=question["why"],
                    good=question["good"],
                    order=order,
                    weight=question["weight"],
                    allow_not_applicable=question["not_applicable"],
                    allow_dont_know=question["dont_know"],
                    references="\n".join(question["references"]),
                )
            )
    Question.objects.bulk_create(questions)
    question_data = [q for theme in data["themes"] for q in theme["questions"]]
    AnswerOption.objects.bulk_create(
        AnswerOption(question=question, level=level, descriptor=descriptor)
        for question, q in zip(questions, question_data, strict=True)
        for level, descriptor in q["levels"].items()
    )
    Recommendation.objects.bulk_create(
        Recommendation(theme=theme, level=level, text=text)
        for theme, theme_data in zip(themes, data["themes"], strict=True)
        for level, text in theme_data["recommendations"].items()
    )
    return version
