"""An auditor's recomputation of a round's figures from its downloads alone.

Only the standard library and SciPy: nothing here imports the app, so the figures it checks
are worked out independently of the code that made them, by the steps of docs/methodology.md,
"Recomputing a theme score from the exports alone". tests/reports/test_recomputation.py feeds
it the files a lead can download.
"""

import math
import statistics

from scipy import stats


def t(df):
    return stats.t.ppf(0.975, df)


def scores_by_theme(method, answers):
    """Each respondent's theme scores, by the coverage rule (methodology, step 2)."""
    header, *rows = answers
    coverage = method["thresholds"]["coverage"]
    people = []
    for row in rows:
        given = dict(zip(header[1:], row[1:], strict=True))
        mine = {}
        for theme in method["themes"]:
            applicable = answered = points = 0
            for question in theme["questions"]:
                value = given[question["key"]]
                if value == "":
                    continue
                if value != "na":
                    applicable += question["weight"]
                if value not in ("na", "dk"):
                    answered += question["weight"]
                    points += question["weight"] * (int(value) - 1) * 25
            if answered and answered >= coverage * applicable - 1e-9:
                mine[theme["key"]] = points / answered
        people.append(mine)
    return people


def short_theme(theme, answers):
    """A short round's theme estimate and its standard error (methodology, section 12)."""
    header, *rows = answers
    given = [dict(zip(header[1:], row[1:], strict=True)) for row in rows]
    values = {
        q["key"]: [int(g[q["key"]]) * 25 - 25 for g in given if g[q["key"]] not in ("", "na", "dk")]
        for q in theme["questions"]
    }
    means = {key: statistics.fmean(v) for key, v in values.items() if v}
    weights = {q["key"]: q["weight"] for q in theme["questions"] if q["key"] in means}
    total = sum(weights.values())
    mean = sum(weights[key] * means[key] for key in weights) / total
    contributions = []
    for g in given:
        levels = {k: int(v) * 25 - 25 for k, v in g.items() if k in weights and v.isdigit()}
        if levels:
            contributions.append(
                sum(weights[k] / total * (x - means[k]) / len(values[k]) for k, x in levels.items())
            )
    n = len(contributions)
    return mean, math.sqrt(n / (n - 1) * sum(u * u for u in contributions)), n


def close(a, b, tolerance=1e-3):
    return abs(float(a) - float(b)) <= tolerance


def check_full_round(method, figures, answers):
    people = scores_by_theme(method, answers)
    themes = [row for row in figures if row["row"] == "theme"]
    means = {}
    for row in themes:
        scores = [p[row["theme"]] for p in people if row["theme"] in p]
        n = len(scores)
        mean = statistics.fmean(scores)
        sd = statistics.stdev(scores)
        means[row["theme"]] = mean
        assert int(row["scored"]) == n
        assert close(row["mean"], mean) and close(row["sd"], sd)
        assert close(row["se"], sd / math.sqrt(n))
        assert close(row["margin"], t(n - 1) * sd / math.sqrt(n))
        # Levels are fifths of the scale, on the score rounded half up.
        assert int(row["level"]) == min(5, math.floor(mean + 0.5) // 20 + 1)
    overall = next(row for row in figures if row["row"] == "overall")
    assert close(overall["mean"], statistics.fmean(means.values()))
    # The overall standard error from the covariance of respondents' theme scores.
    keys = list(means)
    total = 0.0
    for a in keys:
        for b in keys:
            both = [p for p in people if a in p and b in p]
            n_a = sum(1 for p in people if a in p)
            n_b = sum(1 for p in people if b in p)
            products = sum((p[a] - means[a]) * (p[b] - means[b]) for p in both)
            total += products / (n_a * n_b) * len(both) / (len(both) - 1)
    assert close(overall["se"], math.sqrt(total) / len(keys))
    return means


def check_questions(method, figures, answers):
    header, *rows = answers
    for row in (r for r in figures if r["row"] == "question"):
        column = header.index(row["question"])
        given = [r[column] for r in rows if r[column] != ""]
        counts = [sum(1 for g in given if g == str(level)) for level in range(1, 6)]
        assert [int(row[f"level_{level}"]) for level in range(1, 6)] == counts
        assert int(row["not_applicable"]) == given.count("na")
        assert int(row["dont_know"]) == given.count("dk")
        levels = [int(g) * 25 - 25 for g in given if g.isdigit()]
        assert close(row["mean"], statistics.fmean(levels))


def check_groups(figures):
    """The groups shown and those counted overall only add up to the round, theme by theme."""
    overall = next(row for row in figures if row["row"] == "overall")
    groups = [row for row in figures if row["row"] == "group"]
    for theme in (row for row in figures if row["row"] == "theme"):
        mine = [g for g in groups if g["theme"] == theme["theme"]]
        assert sum(int(g["responses"]) for g in mine) == int(overall["responses"])
        assert sum(int(g["scored"]) for g in mine) == int(theme["scored"])
        weighted = sum(int(g["scored"]) * float(g["mean"]) for g in mine if g["mean"])
        assert close(weighted / int(theme["scored"]), theme["mean"])
        for g in mine:
            n = int(g["scored"])
            if n >= 2:
                assert close(g["margin"], t(n - 1) * float(g["sd"]) / math.sqrt(n))


def check_changes(method, figures, previous_figures):
    previous = {
        (row["row"], row["theme"], row["question"]): row
        for row in previous_figures
        if row["row"] in ("overall", "theme", "question")
    }
    minimum = method["thresholds"]["min_for_change"]
    directions = set()
    for row in (r for r in figures if r["row"] in ("overall", "theme", "question")):
        before = previous.get((row["row"], row["theme"], row["question"]))
        if before is None or not row["mean"] or not before["mean"]:
            continue
        assert close(row["previous_mean"], before["mean"])
        assert close(row["change"], float(row["mean"]) - float(before["mean"]))
        n1, n2 = int(row["scored"]), int(before["scored"])
        if min(n1, n2) < minimum:
            assert row["direction"] == "not stated"
            continue
        se1, se2 = float(row["se"]), float(before["se"])
        se = math.sqrt(se1**2 + se2**2)
        df = se**4 / (se1**4 / (n1 - 1) + se2**4 / (n2 - 1))
        assert close(row["change_margin"], t(df) * se)
        # Up or down only when the interval excludes zero as computed and as printed.
        shown = math.floor(float(row["mean"]) + 0.5) - math.floor(float(before["mean"]) + 0.5)
        printed_margin = max(1, math.ceil(round(t(df) * se, 6)))
        clear = abs(float(row["change"])) > t(df) * se and abs(shown) > printed_margin
        expected = ("up" if shown > 0 else "down") if clear else "no clear change"
        assert row["direction"] == expected, row
        directions.add(expected)
    return directions
