"""The bundled question bank is quick to read and written in plain English.

Staff in every role answer the survey, so its text has limits (docs/decisions/0011):

- question texts, level descriptors and the help texts ("why it matters", "what good looks
  like") read at Flesch-Kincaid grade 9 or below, overall and in every theme; theme
  descriptions, recommendations and the start page description at grade 10 or below;
- a descriptor has at most 25 words in at most three sentences, and its first sentence, which
  the check-answers page shows beside the level name, has at most 10 words and differs from
  the other levels' first sentences;
- a help text has at most 30 words; every theme keeps at least four questions;
- a respondent reads at most READING_BUDGET words on the theme pages: titles, theme
  descriptions, questions and descriptors (the help texts sit behind "Help with this
  question" and are counted apart).

The Flesch-Kincaid grade of a passage is 0.39 x words per sentence + 11.8 x syllables per
word - 15.59. It is measured over passages (all the question texts of a theme, say), because
for one short sentence it means little. Syllables come from the small counter below, not from
the textstat package: its current releases look words up in NLTK's copy of the CMU
Pronouncing Dictionary, which they download on first use (there is no network in CI), and its
older releases count hyphenation points, which undercounts. The counter is spelling rules
only, so its figures never change with a dependency's version; for 99% of the words in the
bank's questions and descriptors it gives the dictionary's count.
"""

import copy
import re

import pytest

from maturity.bank import DEFAULT_BANK, read_bank_file

GRADE_LIMIT = 9
PROSE_GRADE_LIMIT = 10
DESCRIPTOR_WORDS = 25
DESCRIPTOR_SENTENCES = 3
SUMMARY_WORDS = 10
HELP_WORDS = 30
QUESTIONS_PER_THEME = 4
# About two thirds of the 6,016 words of the bank before its plain-English rewrite.
READING_BUDGET = 4000

WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
# A sentence ends at . ! or ?, perhaps followed by a closing quote, then a space.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)])\s+")

# Syllables: one per group of vowels, then corrections for the commonest exceptions.
VOWEL_GROUP = re.compile(r"[aeiouy]+")
# Vowel pairs said as two sounds: medi-a, tri-al, actu-al, suppli-er, ide-a, cre-ate, be-ing,
# re-use; but not in spe-cial, na-tion, sen-ior, qual-ity or lan-guage.
TWO_SOUNDS = re.compile(
    r"(?<![aeiouyctsxqgn])(?:ia|io(?!n))"
    r"|(?<![aeiouyqg])(?:ua|uo|iu|ie(?=r|t|n[ct])|ui(?=ty|ties))"
    r"|(?<=\w)eas?$|(?<=cr)ea|[aeiouy](?=ing)|^re(?=u|o)"
)
# A silent e inside a word, before a suffix or a second word: safe-ly, use-ful, some-times.
INNER_SILENT_E = re.compile(
    r"[aeiouy][^aeiouy]e(?=(?:thing|times|where|body|work|ful|fully|ment|ments|less|ly|ness)$)"
)
# Endings, the first that matches: peop-le and cy-cles keep their e; league and make lose it,
# as do used and makes (but not need-ed or chang-es).
ENDINGS = (
    (re.compile(r"[^aeiouyl]l(?:e|es|ed)$"), 0),
    (re.compile(r"(?:gue|que)s?$"), -1),
    (re.compile(r"[^aeiouy]e$"), -1),
    (re.compile(r"[^aeiouydt]ed$"), -1),
    (re.compile(r"(?:[^aeiouycsxzgh]|[^cs]h)es$"), -1),
)
INITIALISM = re.compile(r"^[A-Z]{2,}s?$")


def words(text):
    return WORD.findall(text)


def sentences(text):
    return [sentence for sentence in SENTENCE_END.split(text.strip()) if words(sentence)]


def syllables(word):
    """Syllables in `word`, from its spelling: "IT" and "APIs" are read letter by letter."""
    if INITIALISM.match(word):
        letters = word.rstrip("s")
        return len(letters) + 2 * letters.count("W")
    word = word.lower().replace("’", "").replace("'", "")
    return sum(_syllables_of_part(part) for part in word.split("-") if part)


def _syllables_of_part(word):
    if word == "any":
        return 2
    if word.isdigit() or len(word) <= 3:
        return 1
    count = (
        len(VOWEL_GROUP.findall(word))
        + len(TWO_SOUNDS.findall(word))
        - len(INNER_SILENT_E.findall(word))
    )
    for ending, change in ENDINGS:
        if ending.search(word):
            count += change
            break
    return max(1, count)


def grade(texts):
    """The Flesch-Kincaid grade of `texts` read as one passage."""
    found = [word for text in texts for word in words(text)]
    sentence_count = sum(len(sentences(text)) for text in texts)
    syllable_count = sum(syllables(word) for word in found)
    return 0.39 * len(found) / sentence_count + 11.8 * syllable_count / len(found) - 15.59


def questions_of(bank):
    return [question for theme in bank["themes"] for question in theme["questions"]]


def descriptors_of(questions):
    return [text for question in questions for text in question["levels"].values()]


def help_texts_of(questions):
    return [question[field] for question in questions for field in ("why", "good")]


def page_texts(bank):
    """What the theme pages show for every question, apart from the help texts."""
    texts = []
    for theme in bank["themes"]:
        texts += [theme["title"], theme["description"]]
        for question in theme["questions"]:
            texts += [question["text"], *question["levels"].values()]
    return texts


def figures(bank):
    """The readability figures of `bank`, overall and per theme."""
    questions = questions_of(bank)
    descriptors = descriptors_of(questions)
    shown = page_texts(bank)
    shown_words = sum(len(words(text)) for text in shown)
    return {
        "questions": len(questions),
        "words to read": shown_words,
        "help words": sum(len(words(text)) for text in help_texts_of(questions)),
        "words per sentence": shown_words / sum(len(sentences(text)) for text in shown),
        "question grade": grade([question["text"] for question in questions]),
        "descriptor grade": grade(descriptors),
        "help grade": grade(help_texts_of(questions)),
        "theme description grade": grade([theme["description"] for theme in bank["themes"]]),
        "recommendation grade": grade(
            [text for theme in bank["themes"] for text in theme["recommendations"].values()]
        ),
        "longest descriptor": max(len(words(text)) for text in descriptors),
        "longest first sentence": max(len(words(sentences(text)[0])) for text in descriptors),
        "themes": {
            theme["key"]: {
                "question grade": grade([question["text"] for question in theme["questions"]]),
                "descriptor grade": grade(descriptors_of(theme["questions"])),
                "help grade": grade(help_texts_of(theme["questions"])),
                "recommendation grade": grade(list(theme["recommendations"].values())),
            }
            for theme in bank["themes"]
        },
    }


def readability_problems(bank):
    """Every limit `bank` exceeds, each naming the item and its figure."""
    found = figures(bank)
    problems = []

    def over(figure, limit, where):
        # Judged as shown, to one decimal place.
        if round(figure, 1) > limit:
            problems.append(f"{where}: {figure:.1f} (limit {limit})")

    over(found["words to read"], READING_BUDGET, "words to read on the theme pages")
    for name in ("question grade", "descriptor grade", "help grade"):
        over(found[name], GRADE_LIMIT, f"all themes: {name}")
    for name in ("theme description grade", "recommendation grade"):
        over(found[name], PROSE_GRADE_LIMIT, f"all themes: {name}")
    over(
        grade([bank["questionnaire"]["description"]]),
        PROSE_GRADE_LIMIT,
        "questionnaire description: grade",
    )
    problems += _description_problems(bank)
    for theme in bank["themes"]:
        where = f"theme '{theme['key']}'"
        for name, figure in found["themes"][theme["key"]].items():
            limit = PROSE_GRADE_LIMIT if name == "recommendation grade" else GRADE_LIMIT
            over(figure, limit, f"{where}: {name}")
        if len(theme["questions"]) < QUESTIONS_PER_THEME:
            problems.append(
                f"{where}: {len(theme['questions'])} questions (at least {QUESTIONS_PER_THEME})"
            )
        for question in theme["questions"]:
            problems += _question_problems(question)
    return problems


def _question_problems(question):
    problems = []
    where = f"question '{question['key']}'"
    for field in ("why", "good"):
        count = len(words(question[field]))
        if count > HELP_WORDS:
            problems.append(f"{where}, {field}: {count} words (limit {HELP_WORDS})")
    summaries = {}
    for level, text in question["levels"].items():
        parts = sentences(text)
        count, first = len(words(text)), len(words(parts[0]))
        if count > DESCRIPTOR_WORDS:
            problems.append(f"{where}, level {level}: {count} words (limit {DESCRIPTOR_WORDS})")
        if len(parts) > DESCRIPTOR_SENTENCES:
            problems.append(
                f"{where}, level {level}: {len(parts)} sentences (limit {DESCRIPTOR_SENTENCES})"
            )
        if first > SUMMARY_WORDS:
            problems.append(
                f"{where}, level {level}: first sentence has {first} words (limit {SUMMARY_WORDS})"
            )
        summaries.setdefault(parts[0].lower(), []).append(level)
    for levels in summaries.values():
        if len(levels) > 1:
            problems.append(f"{where}: levels {levels} start with the same sentence")
    return problems


def _description_problems(bank):
    """The start page shows the description: its counts must be right, and it names no time."""
    description = bank["questionnaire"]["description"]
    problems = []
    if re.search(r"\bminutes?\b", description, re.I):
        problems.append("questionnaire description: mentions minutes (the app estimates time)")
    actual = {"themes": len(bank["themes"]), "questions": len(questions_of(bank))}
    for number, noun in re.findall(r"\b(\d+) (themes|questions)\b", description):
        if int(number) != actual[noun]:
            problems.append(
                f"questionnaire description: says {number} {noun}, the bank has {actual[noun]}"
            )
    return problems


@pytest.fixture
def bank():
    return copy.deepcopy(read_bank_file(DEFAULT_BANK))


def test_bundled_bank_is_within_every_readability_limit(bank):
    problems = readability_problems(bank)

    assert not problems, "\n".join(problems)


def test_every_descriptor_starts_with_a_whole_sentence(bank):
    for question in questions_of(bank):
        for level, text in question["levels"].items():
            first = sentences(text)[0]
            # A summary stands alone: a whole sentence, not a fragment cut at a comma.
            assert first[0].isupper() and first[-1] in ".!?", (question["key"], level)


def test_syllables_follow_common_pronunciations():
    # Counts as in the CMU Pronouncing Dictionary (British spellings for British words).
    expected = {
        "the": 1,
        "make": 1,
        "used": 1,
        "changes": 2,
        "people": 2,
        "service": 2,
        "services": 3,
        "supplier": 3,
        "senior": 2,
        "special": 2,
        "quality": 3,
        "language": 2,
        "usually": 4,
        "being": 2,
        "ideas": 3,
        "created": 3,
        "reuse": 2,
        "safely": 2,
        "something": 2,
        "colleagues": 2,
        "disabled": 3,
        "skilled": 1,
        "organisation": 5,
        "technology": 4,
        "day-to-day": 3,
        "don't": 1,
        "organisation's": 5,
        "IT": 2,
        "APIs": 3,
    }

    assert {word: syllables(word) for word in expected} == expected


def test_sentences_end_at_full_stops_even_after_a_quote():
    assert sentences('Nobody says "IT". Results are shared.') == [
        'Nobody says "IT".',
        "Results are shared.",
    ]
    assert sentences("How is work planned?") == ["How is work planned?"]


def test_long_sentences_and_long_words_raise_the_grade():
    plain = grade(["Teams share what they learn. They fix problems fast."])
    long_sentence = grade(["Teams share what they learn and they fix problems fast and well."])
    long_words = grade(["Organisations communicate institutional knowledge systematically."])

    assert plain < long_sentence < long_words


def test_a_long_descriptor_is_named(bank):
    question = bank["themes"][2]["questions"][1]
    question["levels"][3] = "Leaders talk about digital often. " + "They " * 24 + "care."

    assert f"question '{question['key']}', level 3: 30 words (limit 25)" in (
        readability_problems(bank)
    )


def test_a_long_first_sentence_is_named(bank):
    question = bank["themes"][0]["questions"][0]
    question["levels"][2] = (
        "Technology staff are sometimes asked about changes to services late on."
    )

    assert (
        f"question '{question['key']}', level 2: first sentence has 11 words (limit 10)"
        in readability_problems(bank)
    )


def test_a_descriptor_of_four_sentences_is_named(bank):
    question = bank["themes"][4]["questions"][0]
    question["levels"][5] = (
        "Research never stops. It covers everyone. It is shared. It changes plans."
    )

    assert f"question '{question['key']}', level 5: 4 sentences (limit 3)" in (
        readability_problems(bank)
    )


def test_two_levels_with_the_same_summary_are_named(bank):
    question = bank["themes"][1]["questions"][0]
    question["levels"][4] = sentences(question["levels"][5])[0] + " Mostly."

    assert f"question '{question['key']}': levels [4, 5] start with the same sentence" in (
        readability_problems(bank)
    )


def test_jargon_in_one_theme_is_named_with_its_grade(bank):
    theme = bank["themes"][5]
    jargon = (
        "Interoperability considerations are systematically incorporated into architectural "
        "governance. Organisational capabilities are continuously optimised."
    )
    for question in theme["questions"]:
        question["levels"] = dict.fromkeys(question["levels"], jargon)

    problems = readability_problems(bank)

    assert any(
        problem.startswith(f"theme '{theme['key']}': descriptor grade") for problem in problems
    ), problems
    assert not any(problem.startswith("theme 'fused-technology'") for problem in problems)


def test_a_long_help_text_is_named(bank):
    question = bank["themes"][8]["questions"][2]
    question["why"] = "Typing things twice wastes time. " * 7

    assert f"question '{question['key']}', why: 35 words (limit 30)" in readability_problems(bank)


def test_a_theme_left_with_three_questions_is_named(bank):
    theme = bank["themes"][7]
    del theme["questions"][3:]

    assert f"theme '{theme['key']}': 3 questions (at least 4)" in readability_problems(bank)


def test_start_page_description_names_no_time_and_counts_right(bank):
    bank["questionnaire"]["description"] = (
        "It takes 20 minutes. It has 50 questions in 9 themes, from leadership to tools."
    )

    problems = readability_problems(bank)

    assert "questionnaire description: mentions minutes (the app estimates time)" in problems
    assert (
        f"questionnaire description: says 50 questions, the bank has {len(questions_of(bank))}"
        in problems
    )
    assert not any("9 themes" in problem for problem in problems)


def test_every_word_on_the_theme_pages_counts_towards_the_budget(bank):
    before = figures(bank)["words to read"]
    bank["themes"][3]["questions"][0]["levels"][1] += " Five more words are here."
    bank["themes"][3]["description"] += " And two."

    assert figures(bank)["words to read"] == before + 7
