"""Question bank content: the file format, every publish rule, reading and writing files.

Pure: no Django here. A bank travels as one plain structure, whether read from a file
(`read_bank_file`) or from a version in the database (`QuestionnaireVersion.as_bank()`)::

    {"format": 1,
     "questionnaire": {"slug": ..., "name": ..., "description": ...},
     "levels": [{"level": 1, "name": ..., "description": ...}, ...],
     "themes": [{"key": ..., "title": ..., "description": ..., "weight": 1,
                 "questions": [{"key": ..., "text": ..., "why": ..., "good": ...,
                                "weight": 1, "not_applicable": False, "dont_know": True,
                                "references": [...], "levels": {1: ..., ..., 5: ...}}],
                 "recommendations": {1: ..., ..., 5: ...}}]}

Each item's fields are declared once, below (`QUESTION_FIELDS` and the rest): name in the
file, model field, kind and default. Checking, normalising, the export (`as_bank`) and loading
(`maturity.versioning.create_version`) all follow those lists, so a new question field is a
model field and one line here. `bank_problems` returns every problem at once, each naming its
item, so one pass over a file or one click on "Publish" shows everything left to fix.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FORMAT = 1
# The five maturity levels: each question has an option, each theme a recommendation at each.
LEVELS = (1, 2, 3, 4, 5)
MAX_WEIGHT = 10
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_LENGTH = 80
DEFAULT_BANK = Path(__file__).resolve().parent / "question_bank.yaml"

HEADER = """\
# Question bank for the digital maturity self-assessment.
# Load it with `python manage.py load_question_bank FILE`: a changed file becomes a new
# version; published versions are never edited. docs/question-bank.md explains each field.
"""

# Kinds of field: a key (lower-case letters, digits and single hyphens), text (required, not
# empty) or optional text, a weight (1 to MAX_WEIGHT), a flag (true or false), lines (one-line
# texts, stored one a line), a level (1 to 5), and nested content (questions, options...).
KEY, TEXT, OPTIONAL_TEXT, WEIGHT = "key", "text", "optional text", "weight"
FLAG, LINES, LEVEL, NESTED = "flag", "lines", "level", "nested"


@dataclass(frozen=True)
class Field:
    name: str  # in the file
    kind: str
    attribute: str = ""  # the model field it is stored in; the same name unless given
    default: Any = None  # for optional fields

    @property
    def required(self) -> bool:
        return self.kind in (KEY, TEXT, LEVEL, NESTED)

    @property
    def model_attribute(self) -> str:
        return self.attribute or self.name

    def problem(self, value: Any, where: str) -> str | None:
        """What is wrong with `value` for this field, or None."""
        if self.kind == KEY and (
            not isinstance(value, str) or not KEY_PATTERN.match(value) or len(value) > KEY_LENGTH
        ):
            return (
                f"{where}: '{self.name}' {value!r} must be lower-case letters, digits and single "
                f"hyphens (at most {KEY_LENGTH} characters)"
            )
        if self.kind in (TEXT, OPTIONAL_TEXT) and not isinstance(value, str):
            return f"{where}: '{self.name}' must be text"
        if self.kind == TEXT and not value.strip():
            return f"{where}: '{self.name}' is empty"
        if self.kind == WEIGHT and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WEIGHT
        ):
            return f"{where}: '{self.name}' must be a whole number from 1 to {MAX_WEIGHT}"
        if self.kind == FLAG and not isinstance(value, bool):
            return f"{where}: '{self.name}' must be true or false"
        if self.kind == LINES and not (isinstance(value, list) and all(map(_one_line, value))):
            return f"{where}: '{self.name}' must be a list of one-line texts"
        return None

    def to_model(self, value: Any) -> Any:
        return "\n".join(value) if self.kind == LINES else value

    def from_model(self, value: Any) -> Any:
        return lines(value) if self.kind == LINES else value

    def normalise(self, value: Any) -> Any:
        if self.kind == LINES:
            return [line.strip() for line in value]
        return value.strip() if self.kind in (TEXT, OPTIONAL_TEXT) else value


QUESTIONNAIRE_FIELDS = (
    Field("slug", KEY),
    Field("name", TEXT),
    # Stored on the version: it is the text of that version's start page.
    Field("description", OPTIONAL_TEXT, default=""),
)
LEVEL_FIELDS = (Field("level", LEVEL), Field("name", TEXT), Field("description", TEXT))
THEME_FIELDS = (
    Field("key", KEY),
    Field("title", TEXT),
    Field("description", OPTIONAL_TEXT, default=""),
    Field("weight", WEIGHT, default=1),
    Field("questions", NESTED),
    Field("recommendations", NESTED),
)
QUESTION_FIELDS = (
    Field("key", KEY, "concept_key"),
    Field("text", TEXT),
    Field("why", TEXT),
    Field("good", TEXT),
    Field("weight", WEIGHT, default=1),
    Field("not_applicable", FLAG, "allow_not_applicable", default=False),
    Field("dont_know", FLAG, "allow_dont_know", default=True),
    Field("references", LINES, default=()),
    Field("levels", NESTED),
)
# The top-level sections, all required; the value of "format" must be FORMAT.
BANK_FIELDS = tuple(Field(name, NESTED) for name in ("format", "questionnaire", "levels", "themes"))


def _one_line(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip()) and "\n" not in text


def lines(text: str) -> list[str]:
    """A LINES field as stored (one entry a line) back as its list, blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def model_values(fields: Iterable[Field], item: Mapping[str, Any]) -> dict[str, Any]:
    """The model field values of a normalised bank item (nested content left out)."""
    return {f.model_attribute: f.to_model(item[f.name]) for f in fields if f.kind != NESTED}


def bank_values(fields: Iterable[Field], instance: object) -> dict[str, Any]:
    """A model instance's fields in the bank structure, in file order (nested left out)."""
    plain = [f for f in fields if f.kind != NESTED]
    return {f.name: f.from_model(getattr(instance, f.model_attribute)) for f in plain}


# Rules


class BankError(Exception):
    """A bank file that cannot be loaded; `problems` lists every reason."""

    def __init__(self, source: object, problems: Iterable[str]) -> None:
        self.source, self.problems = str(source), list(problems)
        listed = "".join(f"\n  - {problem}" for problem in self.problems)
        many = f"{len(self.problems)} problems:{listed}"
        super().__init__(f"{self.source}: {self.problems[0] if len(self.problems) == 1 else many}")


def bank_problems(data: object) -> list[str]:
    """Every reason `data` is not a complete, publishable question bank; empty if it is."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["the bank must be a mapping with 'format', 'questionnaire', 'levels' and 'themes'"]
    _check_presence(data, BANK_FIELDS, "the bank", problems)
    if "format" in data and data["format"] != FORMAT:
        problems.append(f"the bank: 'format' must be {FORMAT}, not {data['format']!r}")
    questionnaire = data.get("questionnaire")
    if isinstance(questionnaire, dict):
        _check_item(questionnaire, QUESTIONNAIRE_FIELDS, "questionnaire", problems)
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
        _check_item(level, LEVEL_FIELDS, where, problems)
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
        _check_item(theme, THEME_FIELDS, where, problems)
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
                inner = f"{where}, {_name('question', question.get('key'), number)}"
                _check_item(question, QUESTION_FIELDS, inner, problems)
                if "levels" in question:
                    _check_level_texts(question["levels"], f"{inner}: options", "option", problems)
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


def _check_item(
    item: dict[str, Any], fields: tuple[Field, ...], where: str, problems: list[str]
) -> None:
    """Presence of the item's fields, then each field's value by its kind."""
    _check_presence(item, fields, where, problems)
    for field in fields:
        # A missing field is reported above when required; an optional one takes its default.
        problem = field.problem(item[field.name], where) if field.name in item else None
        if problem:
            problems.append(problem)


def _check_presence(
    item: dict[str, Any], fields: tuple[Field, ...], where: str, problems: list[str]
) -> None:
    names = [field.name for field in fields]
    expected = ", ".join(map(repr, names))
    problems.extend(
        f"{where}: missing field '{f.name}'" for f in fields if f.required and f.name not in item
    )
    problems.extend(
        f"{where}: unknown field {name!r} (expected {expected})"
        for name in item
        if name not in names
    )


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
        detail.append("level " + ", ".join(map(repr, wrong)) + " is not 1 to 5")
    problems.append(
        f"{where}: has {len(levels)} {noun}{'s' if len(levels) != 1 else ''} "
        f"({'; '.join(detail)}); needs exactly one for each level 1 to 5"
    )


def _name(noun: str, key: object, position: int) -> str:
    return f"{noun} '{key}'" if isinstance(key, str) and key else f"{noun} {position}"


# Normalised content


def _normalised(fields: tuple[Field, ...], item: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: f.normalise(item.get(f.name, f.default)) for f in fields if f.kind != NESTED}


def _by_level(texts: Mapping[int, str]) -> dict[int, str]:
    return {level: texts[level].strip() for level in sorted(texts)}


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in optional fields with their defaults, so equal banks compare equal."""
    return {
        "format": FORMAT,
        "questionnaire": _normalised(QUESTIONNAIRE_FIELDS, data["questionnaire"]),
        "levels": [
            _normalised(LEVEL_FIELDS, level)
            for level in sorted(data["levels"], key=lambda level: level["level"])
        ],
        "themes": [
            {
                **_normalised(THEME_FIELDS, theme),
                "questions": [
                    {**_normalised(QUESTION_FIELDS, q), "levels": _by_level(q["levels"])}
                    for q in theme["questions"]
                ],
                "recommendations": _by_level(theme["recommendations"]),
            }
            for theme in data["themes"]
        ],
    }


def normalise_or_none(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The normalised form of a version's content, or None for an incomplete draft."""
    return None if bank_problems(data) else normalise(data)


# Files


def read_bank_file(path: str | Path) -> dict[str, Any]:
    """Parse and check a bank file; return its content in the normalised structure."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BankError(path, [f"cannot be read ({error.strerror or error})"]) from error
    except UnicodeDecodeError as error:
        raise BankError(path, ["is not UTF-8 text"]) from error
    try:
        # libyaml's safe loader where PyYAML has it (its wheels do): 15 times faster, same result.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BankError(path, [f"is not valid YAML{line}: {problem}"]) from error
    problems = bank_problems(data)
    if problems:
        raise BankError(path, problems)
    return normalise(data)


def dump_bank(data: Mapping[str, Any]) -> str:
    """The bank as YAML text, in the layout of the default bank file (no empty references)."""
    themes = [
        {**theme, "questions": [{f: v for f, v in q.items() if v or f != "references"} for q in qs]}
        for theme in data["themes"]
        for qs in [theme["questions"]]
    ]
    body = yaml.dump(
        {**data, "themes": themes},
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        width=96,
    )
    return HEADER + body


class _BankDumper(yaml.SafeDumper):
    """Block style throughout, lists indented under their key, long text folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else ">" if len(text) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BankDumper.add_representer(str, _represent_text)
