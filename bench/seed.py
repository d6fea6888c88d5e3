"""The benchmark's own PostgreSQL database, seeded at national scale with bulk inserts.

Default scale: 500 organisations over the ten COFOG functions and five size bands, a closed
earlier round and an open current round each (1,000 rounds), 100,000 submitted responses and
about 5 million answers to the real 50-question bank. Four open rounds have exactly 10, 100,
1,000 and 10,000 submitted responses, for the report measurements. `--quick` seeds a tenth of
everything; its largest round has 1,000 responses, not 10,000.

Organisations, rounds and users go in through the ORM (`bulk_create`); responses and answers
through `COPY`, with the answer table's indexes and constraints dropped during the load and
recreated after it from their own definitions, which also validates every row against them.
`COPY`'s tables and columns come from the models (`_Copy`), so a field added to or removed
from a model stops the seeding with a message instead of shifting values into the wrong
columns.
The parameters are stored in the database (`bench_seed`), so a later run reuses a database
seeded with the same ones and reseeds anything else.
"""

import datetime
import hashlib
import json
import random
import secrets
import time
from pathlib import Path

import environ
import psycopg2
from psycopg2 import sql

# Bump when seeding changes what it writes: a database seeded by an older version is redone.
FORMAT = 3
ROOT = Path(__file__).resolve().parent.parent
MARKER = "bench_seed"
NULL = "\\N"  # COPY's text format

FULL = {"organisations": 500, "responses": 100_000, "special": [10, 100, 1_000, 10_000]}
QUICK = {"organisations": 50, "responses": 10_000, "special": [10, 100, 1_000, 1_000]}

# Share of organisations by COFOG function: general public services (councils) dominate, so
# the round measured for the peer benchmark has many peers.
FUNCTION_WEIGHTS = {
    "01": 36,
    "02": 2,
    "03": 9,
    "04": 9,
    "05": 5,
    "06": 8,
    "07": 12,
    "08": 4,
    "09": 9,
    "10": 6,
}
SIZE_WEIGHTS = {"s": 25, "m": 30, "l": 25, "xl": 13, "xxl": 7}
# Relative response volume by size band.
SIZE_VOLUME = {"s": 1, "m": 2, "l": 4, "xl": 7, "xxl": 10}
SPECIAL_SIZE_BANDS = ["s", "m", "l", "xxl"]
REGIONS = ["uk", "ne", "nw", "yh", "em", "wm", "ee", "ld", "se", "sw", "sc", "wa", "ni"]
ROLE_GROUPS = ["leadership", "digital", "frontline", "corporate", "commercial", "other"]
ROLE_WEIGHTS = [8, 15, 35, 20, 7, 15]
# Leaders see their organisation as more mature than the front line does: a perception gap.
ROLE_OFFSETS = {
    "leadership": 0.5,
    "digital": 0.2,
    "frontline": -0.3,
    "corporate": 0.0,
    "commercial": -0.1,
    "other": 0.0,
}
NOT_APPLICABLE_RATE = 0.04
DONT_KNOW_RATE = 0.06
COMMENT_RATE = 0.02
COMMENTS = [
    "We have started on this in some teams but not across the organisation.",
    "Depends a lot on the directorate.",
    "Our new strategy should change this next year.",
    "Hard to say from where I sit.",
    "This has improved since the restructure.",
]
# Rounds below the anonymity threshold (5): a few, so suppression is exercised.
SMALL_ROUND_RATE = 0.02
# Started but not submitted, per submitted response: never counted, partly answered.
IN_PROGRESS_RATE = 0.03
PLACES = [
    "Northshire",
    "Eastmoor",
    "Westbrook",
    "Southvale",
    "Kingsbridge",
    "Ashford Vale",
    "Riverside",
    "Highcliffe",
    "Oakham Downs",
    "Marshfield",
]
KIND_NAMES = {
    "01": "Council",
    "02": "Defence Agency",
    "03": "Police Service",
    "04": "Growth Agency",
    "05": "Environment Agency",
    "06": "Housing Association",
    "07": "NHS Trust",
    "08": "Museums Service",
    "09": "Education Authority",
    "10": "Social Care Service",
}


def schema():
    """A fingerprint of the migrations: data seeded under other migrations is seeded again,
    since their tables may not be the models' any more."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def parameters(*, quick):
    return {"format": FORMAT, "schema": schema(), **(QUICK if quick else FULL), "seed": 7}


def _connect(url, dbname=None):
    config = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname=dbname or config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def stored_parameters(url):
    """The parameters the database was seeded with; None if it was not (fully) seeded by us,
    "missing" if there is no such database, "foreign" if it holds tables we did not make."""
    name = environ.Env.db_url_config(url)["NAME"]
    with _connect(url, "postgres") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            return "missing"
    conn.close()
    conn = _connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER])
            if cursor.fetchone()[0] is not None:
                cursor.execute(f"SELECT params FROM {MARKER} WHERE complete")
                row = cursor.fetchone()
                return row[0] if row else None
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            return "foreign" if cursor.fetchone()[0] else None
    finally:
        conn.close()


def recreate_database(url):
    """Drop (if there) and create the benchmark database: the quickest way to a clean one."""
    name = environ.Env.db_url_config(url)["NAME"]
    conn = _connect(url, "postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    # Marked incomplete until seeding finishes: an interrupted seed is redone, not reused.
    conn = _connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {MARKER} (params jsonb, counts jsonb, seconds double precision, "
                "seeded_at timestamptz DEFAULT now(), complete boolean DEFAULT false)"
            )
    finally:
        conn.close()


def _allocate(total, weights):
    """`total` split into integers proportional to `weights`, summing exactly."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Stream:
    """A read()-able file over a generator of strings, for `copy_expert`."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = ""

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def readline(self):  # psycopg2 never calls it for COPY FROM, but a file has one
        return self.read()


def _ts(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


class _Copy:
    """`COPY` into a model's table: one column for each of its concrete fields, in order.

    `fields` names (by attname, e.g. "round_id") what each row handed to `line()` holds, in
    the row's order. Every concrete field must be named, and nothing else: a model that
    gains or loses a field fails here, saying which, before anything is written.
    """

    def __init__(self, model, fields):
        concrete = model._meta.concrete_fields
        names = [field.attname for field in concrete]
        missing = [name for name in names if name not in fields]
        unknown = [name for name in fields if name not in names]
        if missing or unknown:
            raise RuntimeError(
                f"bench/seed.py does not write {model.__name__} as the model now is: "
                f"fields it leaves out: {missing or 'none'}; values for no field: "
                f"{unknown or 'none'}. Update the rows it builds."
            )
        self.table = model._meta.db_table
        self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table),
            sql.SQL(", ").join(sql.Identifier(field.column) for field in concrete),
        )
        # One row of COPY's text format from the values in `fields` order (NULL for null),
        # put in column order by str.format, as quick as an f-string over millions of rows.
        self.line = ("\t".join(f"{{{fields.index(name)}}}" for name in names) + "\n").format

    def run(self, cursor, lines):
        cursor.copy_expert(self.statement, _Stream(lines), size=1 << 20)


def _bank():
    from maturity.models import Question, Questionnaire

    version = Questionnaire.objects.get(slug="digital-maturity").current_version()
    questions = []
    theme_index = {}
    for question in (
        Question.objects.filter(theme__questionnaire_version=version)
        .select_related("theme")
        .prefetch_related("options")
        .order_by("theme__order", "order", "id")
    ):
        t = theme_index.setdefault(question.theme_id, len(theme_index))
        options = {option.level: option.pk for option in question.options.all()}
        questions.append(
            (question.pk, t, question.allow_not_applicable, question.allow_dont_know, options)
        )
    return version, questions, len(theme_index)


def seed(params, *, log=print):
    """Seed an empty, migrated database with the question bank loaded. Returns counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from assessments.models import Answer, Membership, Organisation, Response, Round
    from maturity.models import User

    responses_copy = _Copy(
        Response,
        [
            "id",
            "round_id",
            "token",
            "is_personal",
            "role_group",
            "created_at",
            "started_at",
            "last_saved_at",
            "submitted_at",
            "unit_id",
            "unit_declined",
            "snapshot",
            "counts_in_group",
            "answers_digest",
        ],
    )
    answers_copy = _Copy(
        Answer,
        # comment_hidden: no lead has hidden any comment yet.
        [
            "id",
            "response_id",
            "question_id",
            "kind",
            "option_id",
            "level",
            "comment",
            "saved_at",
            "comment_hidden",
        ],
    )

    rng = random.Random(params["seed"])
    # Timestamps depend on today's date: drawn from their own generator, so that the rest
    # (sizes, role groups, answers) is the same whenever the database is seeded.
    clock = random.Random(params["seed"] + 1)
    version, questions, theme_count = _bank()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    today = now.date()

    # Organisations: the first four hold the special rounds, all general public services.
    n_orgs = params["organisations"]
    functions = list(FUNCTION_WEIGHTS)
    org_rows = []
    for i in range(n_orgs):
        if i < len(params["special"]):
            function, size_band = "01", SPECIAL_SIZE_BANDS[i]
        else:
            function = rng.choices(functions, weights=list(FUNCTION_WEIGHTS.values()))[0]
            size_band = rng.choices(list(SIZE_WEIGHTS), weights=list(SIZE_WEIGHTS.values()))[0]
        org_rows.append((function, size_band))
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"{PLACES[i % len(PLACES)]} {KIND_NAMES[function]} {i + 1:04d}",
                function=function,
                size_band=size_band,
                region=REGIONS[i % len(REGIONS)],
                created_at=now,
            )
            for i, (function, size_band) in enumerate(org_rows)
        )
        # One lead per organisation, with a password nobody can use: the benchmark logs
        # them in with force_login.
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(username=f"lead{i + 1:04d}@bench.example", password=unusable)
            for i in range(n_orgs)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=org, role=Membership.Role.LEAD)
            for user, org in zip(users, organisations, strict=True)
        )

    # Rounds: a closed earlier one and an open current one per organisation.
    plans = []  # (organisation index, is_open, submitted, in progress)
    for i in range(n_orgs):
        for is_open in (False, True):
            plans.append([i, is_open, None, 0])
    special = {}  # open round of organisation i -> its exact size
    for i, size in enumerate(params["special"]):
        special[2 * i + 1] = size
    remaining = params["responses"] - sum(special.values())
    free = [p for p in range(len(plans)) if p not in special]
    small = set(rng.sample(free, max(1, int(len(free) * SMALL_ROUND_RATE))))
    for p in small:
        plans[p][2] = rng.randint(2, 4)
    remaining -= sum(plans[p][2] for p in small)
    others = [p for p in free if p not in small]
    weights = [SIZE_VOLUME[org_rows[plans[p][0]][1]] * rng.uniform(0.5, 1.5) for p in others]
    for p, n in zip(others, _allocate(remaining, weights), strict=True):
        plans[p][2] = n
    for p, n in special.items():
        plans[p][2] = n
    for plan in plans:
        plan[3] = round(plan[2] * IN_PROGRESS_RATE * (1 if plan[1] else 0.3))

    closed_opens = today - datetime.timedelta(days=400)
    closed_closes = today - datetime.timedelta(days=340)
    open_opens = today - datetime.timedelta(days=21)
    open_closes = today + datetime.timedelta(days=42)
    with transaction.atomic():
        rounds = Round.objects.bulk_create(
            Round(
                organisation=organisations[i],
                questionnaire_version=version,
                title=f"Digital maturity {'2025' if is_open else '2024'}",
                opens_on=open_opens if is_open else closed_opens,
                closes_on=open_closes if is_open else closed_closes,
                status=Round.Status.OPEN if is_open else Round.Status.CLOSED,
                anonymity_threshold=5,
                submitted_count=submitted,
                created_at=now - datetime.timedelta(days=30 if is_open else 410),
                opened_at=datetime.datetime.combine(
                    open_opens if is_open else closed_opens, datetime.time(9), datetime.UTC
                ),
                closed_at=None
                if is_open
                else datetime.datetime.combine(closed_closes, datetime.time(17), datetime.UTC),
            )
            for i, is_open, submitted, _ in plans
        )

    # Per-organisation maturity, per-theme strengths, so figures vary realistically.
    org_base = [rng.uniform(1.7, 4.0) for _ in range(n_orgs)]
    org_theme = [[rng.gauss(0, 0.45) for _ in range(theme_count)] for _ in range(n_orgs)]

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            sql.SQL("SELECT COALESCE(MAX(id), 0) FROM {}").format(
                sql.Identifier(responses_copy.table)
            )
        )
        first_response_id = cursor.fetchone()[0] + 1

    response_lines = []
    answer_jobs = []  # (response id, organisation index, is_open, role group, submitted, moment)
    response_id = first_response_id
    for (i, is_open, submitted, in_progress), round_obj in zip(plans, rounds, strict=True):
        start = datetime.datetime.combine(round_obj.opens_on, datetime.time(8), datetime.UTC)
        end = min(
            now, datetime.datetime.combine(round_obj.closes_on, datetime.time(18), datetime.UTC)
        )
        span = int((end - start).total_seconds())
        for j in range(submitted + in_progress):
            is_submitted = j < submitted
            role = rng.choices(ROLE_GROUPS, weights=ROLE_WEIGHTS)[0]
            started = start + datetime.timedelta(seconds=clock.randrange(span))
            finished = min(end, started + datetime.timedelta(seconds=clock.randint(300, 3600)))
            role_text = role if is_submitted or rng.random() < 0.7 else ""
            response_lines.append(
                responses_copy.line(
                    response_id,
                    round_obj.pk,
                    secrets.token_urlsafe(32),
                    "t" if rng.random() < 0.2 else "f",
                    role_text,
                    _ts(started),
                    _ts(started),
                    _ts(finished),
                    _ts(finished) if is_submitted else NULL,
                    # No units (the rounds break down by role), no snapshot yet: readers
                    # and the daily job publish them. No digest: nothing to compare.
                    NULL,
                    "f",
                    NULL,
                    "f",
                    "",
                )
            )
            answer_jobs.append((response_id, i, is_open, role, is_submitted, finished))
            response_id += 1

    log(
        f"  {len(organisations):,} organisations, {len(rounds):,} rounds, "
        f"{len(response_lines):,} responses ({params['responses']:,} submitted); writing answers…"
    )
    with connection.cursor() as cursor:
        responses_copy.run(cursor, iter(response_lines))
    del response_lines

    def answer_chunks():
        answer_id = 0
        random_ = rng.random
        gauss = rng.gauss
        comment_count = len(COMMENTS)
        line = answers_copy.line
        batch = []
        for response_id, i, is_open, role, is_submitted, moment in answer_jobs:
            base = org_base[i] + (0.25 if is_open else 0.0) + ROLE_OFFSETS[role] + gauss(0, 0.5)
            themes = org_theme[i]
            stamp = _ts(moment)
            # In progress: the first few themes only.
            last_theme = theme_count if is_submitted else rng.randint(1, theme_count - 1)
            for question_id, t, allow_na, allow_dk, options in questions:
                if t >= last_theme:
                    break
                answer_id += 1
                u = random_()
                comment = COMMENTS[int(u * 1000) % comment_count] if u < COMMENT_RATE else ""
                u = random_()
                if allow_na and u < NOT_APPLICABLE_RATE:
                    batch.append(
                        line(
                            answer_id,
                            response_id,
                            question_id,
                            "na",
                            NULL,
                            NULL,
                            comment,
                            stamp,
                            "f",
                        )
                    )
                    continue
                if allow_dk and u > 1 - DONT_KNOW_RATE:
                    batch.append(
                        line(
                            answer_id,
                            response_id,
                            question_id,
                            "dk",
                            NULL,
                            NULL,
                            comment,
                            stamp,
                            "f",
                        )
                    )
                    continue
                level = int(base + themes[t] + gauss(0, 0.7) + 0.5)
                level = 1 if level < 1 else 5 if level > 5 else level
                batch.append(
                    line(
                        answer_id,
                        response_id,
                        question_id,
                        "level",
                        options[level],
                        level,
                        comment,
                        stamp,
                        "f",
                    )
                )
            if len(batch) > 20_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    with connection.cursor() as cursor:
        dropped = _drop_constraints(cursor, answers_copy.table)
        started = time.monotonic()
        answers_copy.run(cursor, answer_chunks())
        log(f"  answers copied in {time.monotonic() - started:.0f} s; rebuilding indexes…")
        started = time.monotonic()
        _restore_constraints(cursor, answers_copy.table, dropped)
        log(f"  indexes and constraints rebuilt in {time.monotonic() - started:.0f} s")
        for table in (responses_copy.table, answers_copy.table):
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {}))"
                ).format(sql.Identifier(table)),
                [table],
            )
        # What autovacuum would have done by the time anyone reads a real round: planner
        # statistics and a visibility map (index-only scans).
        started = time.monotonic()
        cursor.execute("VACUUM (ANALYZE)")
        log(f"  vacuumed and analysed in {time.monotonic() - started:.0f} s")
        cursor.execute("SELECT count(*) FROM assessments_answer")
        answers = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FILTER (WHERE submitted_at IS NOT NULL), count(*) "
            "FROM assessments_response"
        )
        submitted, responses = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM assessments_round r WHERE submitted_count <> "
            "(SELECT count(*) FROM assessments_response s "
            "WHERE s.round_id = r.id AND s.submitted_at IS NOT NULL)"
        )
        if cursor.fetchone()[0]:
            raise RuntimeError("submitted_count disagrees with the submitted responses")
    return {
        "organisations": len(organisations),
        "rounds": len(rounds),
        "responses": responses,
        "submitted": submitted,
        "answers": answers,
    }


def _drop_constraints(cursor, table):
    """Drop every index and constraint of `table`; return what recreates them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), conindid FROM pg_constraint "
        "WHERE conrelid = %s::regclass ORDER BY contype = 'p' DESC",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid "
        "WHERE k.conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    # Foreign keys first (nothing references the answer table), then the rest.
    for name, _, _ in sorted(constraints, key=lambda c: not c[1].startswith("FOREIGN")):
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    return constraints, indexes


def _restore_constraints(cursor, table, dropped):
    constraints, indexes = dropped
    # Primary key and unique constraints before foreign keys, which need nothing of them.
    for name, definition, _ in sorted(constraints, key=lambda c: c[1].startswith("FOREIGN")):
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                sql.Identifier(table), sql.Identifier(name)
            )
            + sql.SQL(definition)
        )
    for _, definition in indexes:
        cursor.execute(definition)


def mark_seeded(url, params, counts, seconds):
    conn = _connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"DELETE FROM {MARKER}")
            cursor.execute(
                f"INSERT INTO {MARKER} (params, counts, seconds, complete) "
                "VALUES (%s, %s, %s, true)",
                [json.dumps(params), json.dumps(counts), seconds],
            )
    finally:
        conn.close()


def seeded_counts(url):
    conn = _connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT counts, seconds, seeded_at FROM {MARKER} WHERE complete")
            return cursor.fetchone()
    finally:
        conn.close()
