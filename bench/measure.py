"""The measurements, in one process with Django set up against the seeded database.

Views are called through Django's test client, as a browser would call them but without the
network: the respondent's theme page with a response in the session, the round report as a
logged-in lead of the round's organisation. Times are wall-clock, after warm-up requests.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments import figures as round_figures_module
from assessments.models import Membership, Response, Round, Snapshot
from bench import lighthouse, load

SURVEY_WARMUP = 30
SURVEY_REQUESTS = 300
REPORT_WARMUP = 3
REPORT_REQUESTS = 30
BENCHMARK_REPEATS = 20
PDF_REPEATS = 3
HTTP_WARMUP_SECONDS = 3

# (key, label, unit, target text, test)
TARGETS = [
    ("theme_get_p95_ms", "Theme page GET, p95", "ms", "< 50 ms", lambda r: r < 50),
    ("save_p95_ms", "Theme page save POST, p95", "ms", "< 100 ms", lambda r: r < 100),
    ("http_rps", "Theme page over HTTP, throughput", "req/s", ">= 200 req/s", lambda r: r >= 200),
    ("http_p95_ms", "Theme page over HTTP, p95", "ms", "(reported)", None),
    ("http_errors", "Theme page over HTTP, errors", "", "0", lambda r: r == 0),
    ("report_ms_10", "Report page, 10 responses", "ms", "(reported)", None),
    ("report_ms_100", "Report page, 100 responses", "ms", "(reported)", None),
    ("report_ms_1000", "Report page, 1,000 responses", "ms", "(reported)", None),
    ("report_ms_10000", "Report page, 10,000 responses", "ms", "< 300 ms, <= 2x at 100", None),
    ("report_cold_ms_10000", "Report page, 10,000, cold cache", "ms", "(reported)", None),
    ("report_queries_10", "Report page queries, 10", "", "(reported)", None),
    ("report_queries_100", "Report page queries, 100", "", "(reported)", None),
    ("report_queries_10000", "Report page queries, 10,000", "", "same as at 100", None),
    ("benchmark_ms", "Peer benchmark, warm", "ms", "(reported)", None),
    ("benchmark_cold_ms", "Peer benchmark, cold", "ms", "(reported)", None),
    ("lighthouse_performance", "Report, Lighthouse mobile score", "", ">= 90", lambda r: r >= 90),
    ("lighthouse_tbt_ms", "Report, Lighthouse blocking time", "ms", "(reported)", None),
    ("report_dom_elements", "Report page DOM elements", "", "<= 1,500", lambda r: r <= 1500),
    ("board_pdf_s", "Board summary PDF", "s", "< 1 s", lambda r: r < 1),
    ("full_pdf_s", "Full report PDF", "s", "< 1.5 s", lambda r: r < 1.5),
    ("invite_10000_s", "Inviting 10,000 staff, the lead's wait", "s", "< 2 s", lambda r: r < 2),
    ("csv_10000_s", "Answers CSV, 10,000 responses", "s", "< 5 s", lambda r: r < 5),
    ("csv_peak_mb", "Answers CSV peak memory, 10,000", "MB", "flat: <= 1.5x at 1,000", None),
    ("csv_1000_peak_mb", "Answers CSV peak memory, 1,000", "MB", "(reported)", None),
    ("csv_10000_rss_growth_mb", "Answers CSV peak RSS growth, 10,000", "MB", "(flat too)", None),
    ("csv_1000_rss_growth_mb", "Answers CSV peak RSS growth, 1,000", "MB", "(reported)", None),
    ("worker_rss_mb", "gunicorn worker peak RSS", "MB", "< 200 MB", lambda r: r < 200),
]


def _ms(seconds):
    return seconds * 1000


def summary(samples):
    """Median and 95th percentile (inclusive method), rounded for reading."""
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18]
    return round(statistics.median(ordered), 2), round(p95, 2)


def timed(call, *, warmup, repeats):
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(_ms(time.perf_counter() - started))
    return samples


def client():
    # The test client talks to the app in-process; its default host is "testserver".
    return Client()


# The sizes the figures are keyed by: report_ms_10000 is the largest round's time even in
# quick mode, where that round has 1,000 responses (run.py says so).
SIZES = (10, 100, 1_000, 10_000)


def special_rounds():
    """The open rounds seeded with exactly 10, 100, 1,000 and 10,000 (1,000 in quick mode)
    responses, those of the first four organisations, as (size label, round)."""
    rounds = list(
        Round.objects.filter(status=Round.Status.OPEN)
        .select_related("organisation", "questionnaire_version")
        .order_by("organisation_id")[: len(SIZES)]
    )
    return list(zip(SIZES, rounds, strict=True))


def lead_of(rnd):
    return Membership.objects.filter(organisation=rnd.organisation_id).first().user


def theme_with_most_questions(rnd):
    return (
        rnd.questionnaire_version.themes.annotate(n=Count("questions"))
        .order_by("-n", "order")
        .first()
    )


@contextmanager
def respondent(rnd):
    """A started, unsubmitted response to `rnd`, and a client with it in the session; the
    response is deleted afterwards, so repeated runs leave the seeded data as it was."""
    response = Response.objects.create(
        round=rnd, started_at=timezone.now(), role_group=Response.RoleGroup.DIGITAL
    )
    try:
        browser = client()
        resumed = browser.get(reverse("assessments:resume", args=[response.token]))
        if resumed.status_code != 302:
            raise RuntimeError(f"the resume link answered {resumed.status_code}")
        yield response, browser
    finally:
        response.delete()


def measure_survey(rnd, results, log):
    with respondent(rnd) as (_, browser):
        _measure_survey(rnd, browser, results, log)


def _measure_survey(rnd, browser, results, log):
    theme = theme_with_most_questions(rnd)
    questions = list(theme.questions.prefetch_related("options").order_by("order", "id"))
    url = reverse("assessments:theme", args=[theme.key])

    def get():
        page = browser.get(url)
        assert page.status_code == 200, page.status_code

    # A realistic page: every question answered, two with comments, changing on each save so
    # every POST writes (an unchanged answer is skipped).
    pages = []
    for level in (2, 4):
        data = {"action": "continue"}
        for n, question in enumerate(questions):
            option = next(o for o in question.options.all() if o.level == level)
            data[f"q-{question.pk}"] = str(option.pk)
            data[f"comment-{question.pk}"] = (
                f"Comment {level}: we have started but not across every team." if n < 2 else ""
            )
        pages.append(data)
    turn = [0]

    def post():
        turn[0] += 1
        saved = browser.post(url, pages[turn[0] % 2])
        assert saved.status_code == 302, saved.status_code

    get_samples = timed(get, warmup=SURVEY_WARMUP, repeats=SURVEY_REQUESTS)
    post_samples = timed(post, warmup=SURVEY_WARMUP, repeats=SURVEY_REQUESTS)
    with CaptureQueriesContext(connection) as queries:
        get()
    get_queries = len(queries)
    with CaptureQueriesContext(connection) as queries:
        post()
    post_queries = len(queries)
    results["theme_get_median_ms"], results["theme_get_p95_ms"] = summary(get_samples)
    results["save_median_ms"], results["save_p95_ms"] = summary(post_samples)
    results["theme_get_queries"] = get_queries
    results["save_queries"] = post_queries
    results["theme_questions"] = len(questions)
    log(
        f"  theme page ({len(questions)} questions): GET median {results['theme_get_median_ms']}"
        f" ms, p95 {results['theme_get_p95_ms']} ms, {get_queries} queries; save median "
        f"{results['save_median_ms']} ms, p95 {results['save_p95_ms']} ms, {post_queries} queries"
    )


def measure_http(rnd, results, **options):
    with respondent(rnd) as (_, browser):
        _measure_http(rnd, browser, results, **options)


def _measure_http(rnd, browser, results, *, root, environment, seconds, tool, worker_args, log):
    theme = theme_with_most_questions(rnd)
    url_path = reverse("assessments:theme", args=[theme.key])
    page = browser.get(url_path)  # sets the CSRF cookie a browser would then send back
    assert page.status_code == 200, page.status_code
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
    script = root / "bench" / "wrk_report.lua"
    with load.Gunicorn(root=root, environment=environment, worker_args=worker_args) as server:
        url = server.base_url + url_path
        load.load(url=url, cookie=cookie, seconds=HTTP_WARMUP_SECONDS, script=script, tool=tool)
        cpu_before, started = server.worker_cpu_seconds(), time.monotonic()
        outcome = load.load(url=url, cookie=cookie, seconds=seconds, script=script, tool=tool)
        cpu = server.worker_cpu_seconds() - cpu_before
        elapsed = time.monotonic() - started
        peaks = server.worker_peak_rss_mb()
    # How busy the workers were, and the CPU each request cost them: what bounds throughput.
    results["http_worker_busy_pct"] = round(100 * cpu / (elapsed * load.WORKERS), 1)
    results["http_worker_cpu_ms"] = round(1000 * cpu / max(outcome["requests"], 1), 2)
    # The most the workers could serve with every core to themselves (no wrk, no PostgreSQL).
    results["http_ceiling_rps"] = round(
        1000 * min(load.WORKERS, os.cpu_count() or 1) / max(results["http_worker_cpu_ms"], 0.01)
    )
    results["http_tool"] = outcome["tool"]
    results["http_worker_class"] = " ".join(worker_args)
    results["http_connections"] = load.CONNECTIONS
    results["http_rps"] = round(outcome["rps"], 1)
    results["http_p50_ms"] = round(outcome["p50_ms"], 2)
    results["http_p95_ms"] = round(outcome["p95_ms"], 2)
    results["http_requests"] = outcome["requests"]
    results["http_errors"] = outcome["errors"]
    results["worker_rss_mb"] = round(max(peaks.values()), 1) if peaks else None
    log(
        f"  HTTP ({outcome['tool']}, {seconds} s, {load.CONNECTIONS} connections): "
        f"{results['http_rps']} req/s, p50 {results['http_p50_ms']} ms, p95 "
        f"{results['http_p95_ms']} ms, {outcome['errors']} errors {outcome['error_detail']}; "
        f"workers {results['http_worker_busy_pct']}% busy, {results['http_worker_cpu_ms']} ms "
        f"CPU a request (ceiling {results['http_ceiling_rps']} req/s); "
        f"worker peak RSS {sorted(round(p, 1) for p in peaks.values())} MB"
    )


def _peer_round_ids(rnd):
    return list(
        Round.objects.closed()
        .filter(organisation__function=rnd.organisation.function)
        .exclude(organisation=rnd.organisation_id)
        .values_list("pk", flat=True)
    )


def measure_benchmark(rnd, results, log):
    peers = _peer_round_ids(rnd)
    cache.clear()
    started = time.perf_counter()
    benchmark = round_figures_module.peer_benchmark(rnd)
    cold = _ms(time.perf_counter() - started)
    samples = timed(
        lambda: round_figures_module.peer_benchmark(rnd), warmup=1, repeats=BENCHMARK_REPEATS
    )
    with CaptureQueriesContext(connection) as queries:
        round_figures_module.peer_benchmark(rnd)
    results["benchmark_peer_rounds"] = len(peers)
    results["benchmark_cold_ms"] = round(cold, 1)
    results["benchmark_ms"], results["benchmark_p95_ms"] = summary(samples)
    results["benchmark_queries"] = len(queries)
    group = getattr(benchmark, "group", None)
    log(
        f"  peer benchmark ({len(peers)} peer rounds of function {rnd.organisation.function}, "
        f"group {group}): cold {results['benchmark_cold_ms']} ms, warm median "
        f"{results['benchmark_ms']} ms, {len(queries)} queries"
    )


def unpublish(rnd):
    """Forget the round's snapshots, so that the next reader publishes its figures afresh."""
    Snapshot.objects.filter(round=rnd).delete()
    Response.objects.filter(round=rnd).update(snapshot=None, counts_in_group=False)


def measure_reports(rounds, results, log):
    """The report page at each size: first cold (no snapshot yet: the first reader publishes
    it, as after seeding or an import), then
    warm, with the sizes taking turns so that any background load falls on all alike."""
    pages = []
    for size, rnd in rounds:
        browser = client()
        browser.force_login(lead_of(rnd))
        url = reverse("reports:round", args=[rnd.pk])
        unpublish(rnd)
        cache.clear()
        started = time.perf_counter()
        page = browser.get(url)
        results[f"report_cold_ms_{size}"] = round(_ms(time.perf_counter() - started), 1)
        if page.status_code != 200:
            raise RuntimeError(f"{url} answered {page.status_code}")
        results[f"report_kb_{size}"] = round(len(page.content) / 1024, 1)
        pages.append((size, rnd, browser, url))

    def get(browser, url):
        started = time.perf_counter()
        page = browser.get(url)
        assert page.status_code == 200, page.status_code
        return _ms(time.perf_counter() - started)

    for _ in range(REPORT_WARMUP):
        for _, _, browser, url in pages:
            get(browser, url)
    samples = {size: [] for size, *_ in pages}
    for _ in range(REPORT_REQUESTS):
        for size, _, browser, url in pages:
            samples[size].append(get(browser, url))
    for size, rnd, browser, url in pages:
        with CaptureQueriesContext(connection) as queries:
            get(browser, url)
        median, p95 = summary(samples[size])
        results[f"report_ms_{size}"] = median
        results[f"report_p95_ms_{size}"] = p95
        results[f"report_queries_{size}"] = len(queries)
        results[f"report_sql_ms_{size}"] = round(
            sum(float(query["time"]) for query in queries.captured_queries) * 1000, 1
        )
        log(
            f"  report, {rnd.submitted_count:,} responses: cold "
            f"{results[f'report_cold_ms_{size}']} ms, warm median {median} ms, p95 {p95} ms, "
            f"{len(queries)} queries taking {results[f'report_sql_ms_{size}']} ms, "
            f"{results[f'report_kb_{size}']} kB"
        )


def measure_pdfs(rnd, results, log):
    """Board and full PDFs of the largest round through the client, with the cache cleared
    before each so a PDF is rendered every time; then WeasyPrint alone on the same HTML."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from reports import pdf, svg
    from reports.report import build_report

    browser = client()
    browser.force_login(lead_of(rnd))
    for variant, key, url_name in (
        (pdf.BOARD, "board_pdf_s", "reports:board_pdf"),
        (pdf.FULL, "full_pdf_s", "reports:full_pdf"),
    ):
        url = reverse(url_name, args=[rnd.pk])
        samples, size = [], 0
        for n in range(PDF_REPEATS + 1):
            cache.clear()
            started = time.perf_counter()
            answer = browser.get(url)
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            elapsed = time.perf_counter() - started
            if answer.status_code != 200 or not body.startswith(b"%PDF"):
                raise RuntimeError(f"{url} answered {answer.status_code} without a PDF")
            size = len(body)
            if n:  # the first render loads fonts and compiles templates
                samples.append(elapsed)
        results[key] = round(statistics.median(samples), 3)
        results[key.replace("_s", "_kb")] = round(size / 1024, 1)
        # The same document in parts, from a cold cache as above: figures and charts, HTML,
        # then WeasyPrint alone.
        cache.clear()
        started = time.perf_counter()
        report = build_report(rnd, comments=variant == pdf.FULL)
        svg.add_pdf_charts(report)
        built = time.perf_counter()
        html = render_to_string(
            pdf.TEMPLATES[variant], {**report, "service_name": settings.SERVICE_NAME}
        )
        rendered = time.perf_counter()
        pages = pdf.document(html).render()
        laid_out = time.perf_counter()
        pages.write_pdf(pdf_variant=pdf.PDF_VARIANT, finisher=pdf.complete_structure)
        written = time.perf_counter()
        prefix = key.removesuffix("_s")
        results[f"{prefix}_context_s"] = round(built - started, 3)
        results[f"{prefix}_html_s"] = round(rendered - built, 3)
        results[f"{prefix}_layout_s"] = round(laid_out - rendered, 3)
        results[f"{prefix}_write_s"] = round(written - laid_out, 3)
        results[f"{prefix}_pages"] = len(pages.pages)
        log(
            f"  {url_name}: median {results[key]} s over {PDF_REPEATS}, {size / 1024:.0f} kB, "
            f"{len(pages.pages)} pages (figures and charts {built - started:.3f} s, HTML "
            f"{rendered - built:.3f} s, WeasyPrint layout {laid_out - rendered:.3f} s, "
            f"writing {written - laid_out:.3f} s)"
        )


def _csv_memory(rnd, user):
    """Peak memory of the round's answers CSV, measured in a fresh process (bench/csv_probe.py)."""
    warmup = Round.objects.filter(organisation=rnd.organisation_id).exclude(pk=rnd.pk).first()
    done = subprocess.run(
        [sys.executable, "-m", "bench.csv_probe", str(rnd.pk), str(user.pk), str(warmup.pk)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"csv_probe failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _consume(browser, url):
    """Read a (streaming) download to its end: its size, its lines, and the seconds to its
    first data row (the header comes before any query)."""
    started = time.perf_counter()
    answer = browser.get(url)
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}")
    size, rows, first_row = 0, 0, None
    if answer.streaming:
        for chunk in answer.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
            if first_row is None and rows > 1:
                first_row = time.perf_counter() - started
    else:
        size, rows = len(answer.content), answer.content.count(b"\n")
    answer.close()
    return size, rows, first_row


@contextmanager
def closed(rounds):
    """The rounds closed for as long as the block runs, then open again as seeded: the
    answers CSV is only for closed rounds, and the other sections measure open ones."""
    pks = [rnd.pk for rnd in rounds]
    Round.objects.filter(pk__in=pks).update(status=Round.Status.CLOSED)
    try:
        yield
    finally:
        Round.objects.filter(pk__in=pks).update(status=Round.Status.OPEN)
        for rnd in rounds:
            unpublish(rnd)


def measure_csv(rounds, results, log):
    """Answers CSV of the largest round and of the 1,000-response one, closed for the
    purpose: time in this process (after a warm-up export), memory in a fresh process for
    each (see bench/csv_probe.py)."""
    with closed([rounds[-1][1], rounds[-2][1]]):
        _measure_csv(rounds, results, log)


def _measure_csv(rounds, results, log):
    largest = rounds[-1][1]
    browser = client()
    for n, rnd in (rounds[-1], rounds[-2]):
        user = lead_of(rnd)
        browser.force_login(user)
        url = reverse("reports:answers_csv", args=[rnd.pk])
        _consume(browser, url)  # warm-up
        started = time.perf_counter()
        size, rows, first_row = _consume(browser, url)
        elapsed = time.perf_counter() - started
        memory = _csv_memory(rnd, user)
        results[f"csv_{n}_s"] = round(elapsed, 2)
        results[f"csv_{n}_peak_mb"] = memory["peak_mb"]
        results[f"csv_{n}_rss_growth_mb"] = memory["rss_growth_mb"]
        results[f"csv_{n}_mb"] = round(size / 2**20, 1)
        results[f"csv_{n}_first_row_s"] = round(first_row or 0, 2)
        log(
            f"  answers CSV, {rnd.submitted_count:,} responses: {elapsed:.2f} s (first row after "
            f"{first_row or 0:.2f} s), {rows:,} lines, {size / 2**20:.1f} MB; in a fresh "
            f"process: peak Python memory {memory['peak_mb']} MB, peak RSS growth "
            f"{memory['rss_growth_mb']} MB"
        )
    results["csv_peak_mb"] = results["csv_10000_peak_mb"]
    browser.force_login(lead_of(largest))
    url = reverse("reports:figures_csv", args=[largest.pk])
    started = time.perf_counter()
    _consume(browser, url)
    results["figures_csv_s"] = round(time.perf_counter() - started, 3)
    log(f"  figures CSV, {largest.submitted_count:,} responses: {results['figures_csv_s']} s")


def cpu_idle_pct(seconds=1.0):
    """The share of the machine's CPU time left idle over `seconds`: below ~90% before a
    section means something else was running, and the figures after it are pessimistic."""

    def sample():
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    return round(100 * (idle_after - idle_before) / max(total_after - total_before, 1), 1)


def reference_ms():
    """The machine's speed now: milliseconds for a fixed piece of pure-Python work (hashing and
    sorting), the median of five. A shared virtual machine ran the same code at 46 ms and at
    80 ms within one run, with nothing else on it; two runs' figures compare only as far as
    their reference times do."""
    import hashlib

    def work():
        digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(60_000)]
        return sorted(digests)[0]

    return round(statistics.median(timed(work, warmup=1, repeats=5)), 1)


QUIET_IDLE_PCT = 85
QUIET_WAIT_SECONDS = 90


def wait_for_quiet(log):
    """Wait (a minute at most) for other work on the machine to stop before measuring;
    return the idle share seen last."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    idle = cpu_idle_pct()
    if idle < QUIET_IDLE_PCT:
        log(f"  the machine is busy ({idle}% idle): waiting up to {QUIET_WAIT_SECONDS} s")
    while idle < QUIET_IDLE_PCT and time.monotonic() < deadline:
        idle = cpu_idle_pct(2.0)
    return idle


def machine():
    """What the figures were measured on."""
    import platform

    import django

    def proc(path, prefix):
        with open(path) as file:
            return next(
                (line.split(":", 1)[1].strip() for line in file if line.startswith(prefix)), ""
            )

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(int(proc("/proc/meminfo", "MemTotal").split()[0]) / 2**20, 1),
        "cpu": proc("/proc/cpuinfo", "model name"),
        "postgresql": postgres,
        "shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_before": float(load),
        "reference_ms": reference_ms(),
    }


INVITATIONS = 10_000


def measure_invitations(rnd, results, log):
    """The lead's "Send" with 10,000 addresses pasted in, from the request to the redirect,
    the tasks that write and send the e-mails queued but not run. Everything it writes is
    rolled back, so repeated runs leave the seeded round as it was."""
    browser = client()
    browser.force_login(lead_of(rnd))
    invitees = "\n".join(f"bench{n}@example.gov.uk" for n in range(INVITATIONS))
    url = reverse("assessments:staff", args=[rnd.pk])
    with transaction.atomic():
        # The tasks are queued on commit: run those callbacks inside the timing.
        with TestCase.captureOnCommitCallbacks(execute=True):
            started = time.perf_counter()
            page = browser.post(url, {"send": "1", "invitees": invitees})
        elapsed = time.perf_counter() - started
        invited = rnd.invitations.count()
        transaction.set_rollback(True)
    if page.status_code != 302 or invited != INVITATIONS:
        raise RuntimeError(f"the staff page answered {page.status_code}, {invited} invitations")
    results["invite_10000_s"] = round(elapsed, 2)
    log(f"  {INVITATIONS:,} invitations: {results['invite_10000_s']} s")


SECTIONS = ["survey", "http", "benchmark", "reports", "lighthouse", "pdf", "csv", "invitations"]


def run_all(*, root, environment, http_seconds, load_tool, worker_class, sections, log):
    results = {"machine": machine()}
    errors = {}
    rounds = special_rounds()
    largest = rounds[-1][1]
    results["responses"] = Response.objects.filter(submitted_at__isnull=False).count()
    results["largest_round"] = largest.submitted_count
    steps = {
        "survey": lambda: measure_survey(largest, results, log),
        "http": lambda: measure_http(
            largest,
            results,
            root=root,
            environment=environment,
            seconds=http_seconds,
            tool=load_tool,
            worker_args=load.WORKER_CLASSES[worker_class],
            log=log,
        ),
        "benchmark": lambda: measure_benchmark(largest, results, log),
        "reports": lambda: measure_reports(rounds, results, log),
        "lighthouse": lambda: lighthouse.measure_lighthouse(
            largest, lead_of(largest), results, root=root, environment=environment, log=log
        ),
        "pdf": lambda: measure_pdfs(largest, results, log),
        "csv": lambda: measure_csv(rounds, results, log),
        "invitations": lambda: measure_invitations(largest, results, log),
    }
    for name in SECTIONS:
        if sections and name not in sections:
            continue
        idle = wait_for_quiet(log)
        results.setdefault("idle_before_pct", {})[name] = idle
        note = "" if idle >= QUIET_IDLE_PCT else f" (only {idle}% idle just before: busy machine)"
        log(f"Measuring {name} …{note}")
        started = time.monotonic()
        try:
            steps[name]()
        except (NoReverseMatch, ImportError) as error:
            errors[name] = f"not available yet: {error}"
            log(f"  skipped: {errors[name]}")
        except Exception as error:  # noqa: BLE001 - report it and go on to the next section
            errors[name] = f"{type(error).__name__}: {error}"
            log(f"  failed: {errors[name]}")
        results[f"{name}_section_s"] = round(time.monotonic() - started, 1)
    results["machine"]["reference_after_ms"] = reference_ms()
    if errors:
        results["errors"] = errors
    return {**{key: results.get(key) for key, *_ in TARGETS}, **results}


def verdicts(results):
    """key -> True (met), False (missed) or None (no target, or not measured)."""
    found = {}
    for key, _, _, _, test in TARGETS:
        value = results.get(key)
        found[key] = None if value is None or test is None else bool(test(value))
    # Against the 100-response round: the smallest that shows figures. Ten responses in
    # three groups are fewer than the anonymity rule's first snapshot needs, so the round of
    # 10 shows "No figures yet", a different and lighter page.
    at_100, at_largest = results.get("report_ms_100"), results.get("report_ms_10000")
    if at_100 is not None and at_largest is not None:
        found["report_ms_10000"] = at_largest < 300 and at_largest <= 2 * at_100
    q_100, q_largest = results.get("report_queries_100"), results.get("report_queries_10000")
    if q_100 is not None and q_largest is not None:
        found["report_queries_10000"] = q_largest == q_100
    # Flat: ten times the rows in at most half as much memory again, Python's and the
    # process's (RSS, with 2 MB of slack for a figure that small). Not judged in quick mode,
    # where both rounds have 1,000 responses.
    small, large = results.get("csv_1000_peak_mb"), results.get("csv_peak_mb")
    rss_small, rss_large = (
        results.get("csv_1000_rss_growth_mb"),
        results.get("csv_10000_rss_growth_mb"),
    )
    if None not in (small, large, rss_small, rss_large) and results.get("largest_round") != 1000:
        found["csv_peak_mb"] = large <= 1.5 * small and rss_large <= 1.5 * rss_small + 2
    return found


def _show(value, unit):
    if value is None:
        return "not measured"
    if isinstance(value, float):
        text = f"{value:,.3f}" if unit == "s" else f"{value:,.1f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def table(results):
    """The figures beside their targets, as a Markdown table (docs/performance.md has it)."""
    found = verdicts(results)
    rows = [("Figure", "Measured", "Target", "Result")]
    for key, label, unit, target, _ in TARGETS:
        verdict = found.get(key)
        mark = "" if verdict is None else ("met" if verdict else "MISSED")
        rows.append((label, _show(results.get(key), unit), target, mark))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        )
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    if results.get("largest_round") != 10_000:
        lines.append("")
        lines.append(
            f"The largest round has {results.get('largest_round'):,} responses (quick mode): "
            "the figures keyed 10,000 are measured on it."
        )
    if results.get("errors"):
        lines.append("")
        lines.extend(f"{name}: {error}" for name, error in results["errors"].items())
    return "\n".join(lines)
