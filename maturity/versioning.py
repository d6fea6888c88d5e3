"""Rules for a publishable question bank, and new drafts made from old versions.

A question bank travels as one plain structure, the same whether it was read from a bank
file (`maturity.bank.read_bank_file`) or from a version in the database
(`maturity.bank.version_to_dict`)::

    {"format": 1,
     "questionnaire": {"slug": ..., "name": ..., "description": ...},
     "levels": [{"level": 1, "name": ..., "description": ...}, ...],
     "themes": [{"key": ..., "title": ..., "description": ..., "weight": 1,
                 "questions": [{"key": ..., "text": ..., "why": ..., "good": ...,
                                "weight": 1, "not_applicable": False, "dont_know": True,
                                "references": [...], "levels": {1: ..., ..., 5: ...}}],
                 "recommendations": {1: ..., ..., 5: ...}}]}

`bank_problems` checks that structure against every rule and returns all the problems at
once, each naming the item it is about, so one pass over a bank file or one click on
"Publish" shows everything left to fix.
"""

import re
from collections import Counter
from typing import Any

from django.db import transaction

from maturity.models import (
    AnswerOption,
    MaturityLevel,
    Question,
    QuestionnaireVersion,
    Recommendation,
    Theme,
)

FORMAT = 1
LEVELS = (1, 2, 3, 4, 5)
MAX_WEIGHT = 10
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

QUESTIONNAIRE_FIELDS = {"slug": True, "name": True, "description": False}
LEVEL_FIELDS = {"level": True, "name": True, "description": True}
THEME_FIELDS = {
    "key": True,
    "title": True,
    "description": False,
    "weight": False,
    "questions": True,
    "recommendations": True,
}
QUESTION_FIELDS = {
    "key": True,
    "text": True,
    "why": True,
    "good": True,
    "weight": False,
    "not_applicable": False,
    "dont_know": False,
    "references": False,
    "levels": True,
}


def bank_problems(data: object) -> list[str]:
    """Every reason `data` is not a complete, publishable question bank; empty if it is."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["the bank must be a mapping with 'format', 'questionnaire', 'levels' and 'themes'"]
    _check_fields(
        data,
        {"format": True, "questionnaire": True, "levels": True, "themes": True},
        "the bank",
        problems,
    )
    if "format" in data and data["format"] != FORMAT:
        problems.append(f"the bank: 'format' must be {FORMAT}, not {data['format']!r}")
    questionnaire = data.get("questionnaire")
    if isinstance(questionnaire, dict):
        _check_fields(questionnaire, QUESTIONNAIRE_FIELDS, "questionnaire", problems)
        _check_key(questionnaire.get("slug"), "questionnaire: 'slug'", problems)
        _check_text(questionnaire, "name", "questionnaire", problems)
        _check_text(questionnaire, "description", "questionnaire", problems, required=False)
    elif "questionnaire" in data:
        problems.append("questionnaire: must be a mapping with 'slug' and 'name'")
    if "levels" in data:
        _check_maturity_levels(data["levels"], problems)
    if "themes" in data:
        _check_themes(data["themes"], problems)
    return problems


def _check_maturity_levels(levels: object, problems: list[str]) -> None:
    if not isinstance(levels, list):
        problems.append("levels: must be a list of the five maturity levels")
        return
    seen: list[object] = []
    for position, level in enumerate(levels, start=1):
        where = f"maturity level {position}"
        if not isinstance(level, dict):
            problems.append(f"{where}: must be a mapping with 'level', 'name' and 'description'")
            continue
        _check_fields(level, LEVEL_FIELDS, where, problems)
        _check_text(level, "name", where, problems)
        _check_text(level, "description", where, problems)
        seen.append(level.get("level"))
    _check_level_set(seen, "levels", "maturity level", problems)


def _check_themes(themes: object, problems: list[str]) -> None:
    if not isinstance(themes, list) or not themes:
        problems.append("themes: the bank needs at least one theme")
        return
    theme_keys: Counter[object] = Counter()
    question_keys: Counter[object] = Counter()
    for position, theme in enumerate(themes, start=1):
        if not isinstance(theme, dict):
            problems.append(f"theme {position}: must be a mapping")
            continue
        where = _name("theme", theme.get("key"), position)
        theme_keys[theme.get("key")] += 1
        _check_fields(theme, THEME_FIELDS, where, problems)
        _check_key(theme.get("key"), f"{where}: 'key'", problems)
        _check_text(theme, "title", where, problems)
        _check_text(theme, "description", where, problems, required=False)
        _check_weight(theme, where, problems)
        questions = theme.get("questions")
        if not isinstance(questions, list) or not questions:
            if "questions" in theme:
                problems.append(f"{where}: has no questions; every theme needs at least one")
        else:
            for number, question in enumerate(questions, start=1):
                if not isinstance(question, dict):
                    problems.append(f"{where}, question {number}: must be a mapping")
                    continue
                question_keys[question.get("key")] += 1
                _check_question(
                    question, f"{where}, {_name('question', question.get('key'), number)}", problems
                )
        if "recommendations" in theme:
            _check_level_texts(
                theme["recommendations"], f"{where}: recommendations", "recommendation", problems
            )
    for key, count in theme_keys.items():
        if count > 1 and isinstance(key, str):
            problems.append(f"theme key '{key}' is used by {count} themes; keys must be unique")
    for key, count in question_keys.items():
        if count > 1 and isinstance(key, str):
            problems.append(
                f"question key '{key}' is used by {count} questions; keys must be unique"
            )
    for key in set(theme_keys) & set(question_keys):
        if isinstance(key, str):
            problems.append(f"key '{key}' names both a theme and a question; keys must be unique")


def _check_question(question: dict[str, Any], where: str, problems: list[str]) -> None:
    _check_fields(question, QUESTION_FIELDS, where, problems)
    _check_key(question.get("key"), f"{where}: 'key'", problems)
    for field in ("text", "why", "good"):
        _check_text(question, field, where, problems)
    _check_weight(question, where, problems)
    for flag in ("not_applicable", "dont_know"):
        if flag in question and not isinstance(question[flag], bool):
            problems.append(f"{where}: '{flag}' must be true or false")
    references = question.get("references", [])
    if not isinstance(references, list) or not all(
        isinstance(ref, str) and ref.strip() and "\n" not in ref for ref in references
    ):
        problems.append(f"{where}: 'references' must be a list of one-line texts")
    if "levels" in question:
        _check_level_texts(question["levels"], f"{where}: options", "option", problems)


def _check_level_texts(texts: object, where: str, noun: str, problems: list[str]) -> None:
    """A mapping of level (1 to 5) to a non-empty text: options and recommendations."""
    if not isinstance(texts, dict):
        problems.append(f"{where}: must map each level 1 to 5 to a text")
        return
    _check_level_set(list(texts), where, noun, problems)
    for level, text in texts.items():
        if level in LEVELS and (not isinstance(text, str) or not text.strip()):
            problems.append(f"{where}: the {noun} for level {level} is empty")


def _check_level_set(levels: list[object], where: str, noun: str, problems: list[str]) -> None:
    counts = Counter(levels)
    wrong = [level for level in counts if level not in LEVELS]
    missing = [level for level in LEVELS if level not in counts]
    repeated = [level for level in LEVELS if counts[level] > 1]
    if not (wrong or missing or repeated):
        return
    detail = []
    if missing:
        detail.append("missing level " + ", ".join(map(str, missing)))
    if repeated:
        detail.append("level " + ", ".join(map(str, repeated)) + " given more than once")
    if wrong:
        detail.append("level " + ", ".join(repr(level) for level in wrong) + " is not 1 to 5")
    problems.append(
        f"{where}: has {len(levels)} {noun}{'s' if len(levels) != 1 else ''} "
        f"({'; '.join(detail)}); needs exactly one for each level 1 to 5"
    )


def _check_fields(
    item: dict[str, Any], fields: dict[str, bool], where: str, problems: list[str]
) -> None:
    for field, required in fields.items():
        if required and field not in item:
            problems.append(f"{where}: missing field '{field}'")
    for field in item:
        if field not in fields:
            problems.append(
                f"{where}: unknown field {field!r} (expected {', '.join(map(repr, fields))})"
            )


def _check_text(
    item: dict[str, Any], field: str, where: str, problems: list[str], required: bool = True
) -> None:
    if field not in item:
        return  # reported by _check_fields when required
    value = item[field]
    if not isinstance(value, str):
        problems.append(f"{where}: '{field}' must be text")
    elif required and not value.strip():
        problems.append(f"{where}: '{field}' is empty")


def _check_key(key: object, where: str, problems: list[str]) -> None:
    if key is None:
        return  # reported as a missing field
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or len(key) > 80:
        problems.append(
            f"{where} {key!r} must be lower-case letters, digits and single hyphens "
            "(at most 80 characters)"
        )


def _check_weight(item: dict[str, Any], where: str, problems: list[str]) -> None:
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        problems.append(f"{where}: 'weight' must be a whole number from 1 to {MAX_WEIGHT}")


def _name(noun: str, key: object, position: int) -> str:
    return f"{noun} '{key}'" if isinstance(key, str) and key else f"{noun} {position}"


@transaction.atomic
def clone_version(*, source: QuestionnaireVersion, notes: str = "") -> QuestionnaireVersion:
    """Copy `source`, content and all, into a new draft numbered after the latest version."""
    latest = (
        QuestionnaireVersion.objects.select_for_update()
        .filter(questionnaire_id=source.questionnaire_id)
        .order_by("-number")
        .first()
    )
    number = latest.number + 1 if latest else 1
    draft = QuestionnaireVersion.objects.create(
        questionnaire_id=source.questionnaire_id,
        number=number,
        description=source.description,
        notes=notes or f"Draft made from version {source.number}.",
        based_on=source,
    )
    MaturityLevel.objects.bulk_create(
        MaturityLevel(
            questionnaire_version=draft,
            level=level.level,
            name=level.name,
            description=level.description,
        )
        for level in source.levels.all()
    )
    themes = list(source.themes.prefetch_related("questions__options", "recommendations"))
    new_themes = Theme.objects.bulk_create(
        Theme(
            questionnaire_version=draft,
            key=theme.key,
            title=theme.title,
            description=theme.description,
            order=theme.order,
            weight=theme.weight,
        )
        for theme in themes
    )
    questions: list[tuple[Question, Question]] = []
    recommendations: list[Recommendation] = []
    for theme, new_theme in zip(themes, new_themes, strict=True):
        for question in theme.questions.all():
            copy = Question(
                theme=new_theme,
                concept_key=question.concept_key,
                text=question.text,
                why=question.why,
                good=question.good,
                order=question.order,
                weight=question.weight,
                allow_not_applicable=question.allow_not_applicable,
                allow_dont_know=question.allow_dont_know,
                references=question.references,
            )
            questions.append((question, copy))
        recommendations.extend(
            Recommendation(theme=new_theme, level=rec.level, text=rec.text)
            for rec in theme.recommendations.all()
        )
    Question.objects.bulk_create(copy for _, copy in questions)
    AnswerOption.objects.bulk_create(
        AnswerOption(question=copy, level=option.level, descriptor=option.descriptor)
        for question, copy in questions
        for option in question.options.all()
    )
    Recommendation.objects.bulk_create(recommendations)
    return draft
