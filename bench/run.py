"""Benchmark the app at national scale on PostgreSQL: `make bench` or `python bench/run.py`.

Seeds (or reuses) its own database, measures the survey, the reports and a gunicorn server
under load in one run, prints a table of each figure beside its target, and last a single
JSON line with every figure. docs/performance.md explains each figure and the latest results.

    python bench/run.py            # 500 organisations, 100,000 responses, ~5M answers
    python bench/run.py --quick    # a tenth of that (largest round: 1,000 responses)
    python bench/run.py --reseed   # seed again even if the database matches

The database is DATABASE_URL when that is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/maturity_bench (maturity_bench_quick with --quick).
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import seed  # noqa: E402

PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/maturity_bench"


def database_url(quick):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return url
    return DEFAULT_URL + ("_quick" if quick else "")


def production_environment(url):
    """Settings as in production, except plain HTTP on loopback; shared with gunicorn."""
    return {
        "DATABASE_URL": url,
        "DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # testserver: the Django test client's host.
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "maturity.settings",
    }


def collect_static():
    """Collect static files with the production storage (compressed, fingerprinted); if that
    fails, say why and fall back to plain collected files. Before Django is set up here, so
    the choice holds for this process and gunicorn alike."""
    command = [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        reason = done.stderr.strip().splitlines()
        print(
            "collectstatic failed with the production storage, so static files are served "
            f"plain: {' '.join(reason[-6:])[:400]}",
            flush=True,
        )
        os.environ["STATICFILES_BACKEND"] = PLAIN_STATIC
        subprocess.run(command, cwd=ROOT, check=True)
    print(f"Collected static files in {time.monotonic() - started:.0f} s", flush=True)
    return os.environ.get("STATICFILES_BACKEND", "production default")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the default scale")
    parser.add_argument("--reseed", action="store_true", help="seed even if the data matches")
    parser.add_argument(
        "--http-seconds", type=int, default=20, help="duration of the HTTP load (default 20)"
    )
    parser.add_argument(
        "--load",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="HTTP load generator: wrk when installed (auto), or the bounded Python one",
    )
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default="sync",
        help="gunicorn worker class for the HTTP load (default sync; gthread: 2 threads)",
    )
    parser.add_argument(
        "--only",
        help="comma-separated sections to measure (survey, http, benchmark, reports, "
        "lighthouse, pdf, csv, invitations); "
        "default all",
    )
    args = parser.parse_args(argv)
    # A SIGTERM unwinds like Ctrl+C, so gunicorn and wrk are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    url = database_url(args.quick)
    os.environ.update(production_environment(url))
    params = seed.parameters(quick=args.quick)

    try:
        stored = seed.stored_parameters(url)
    except seed.psycopg2.OperationalError as error:
        sys.exit(f"Cannot reach PostgreSQL for {url}: {error}".strip())
    if stored == "foreign":
        sys.exit(
            f"{url} holds tables that the benchmark did not create: refusing to reseed it. "
            "Point DATABASE_URL at a database of its own (or an absent one)."
        )
    reuse = stored == params and not args.reseed
    if not reuse:
        print(f"Creating {url} …", flush=True)
        seed.recreate_database(url)

    static_backend = collect_static()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if reuse:
        counts, seconds, seeded_at = seed.seeded_counts(url)
        print(f"Reusing {url}, seeded {seeded_at:%Y-%m-%d %H:%M} in {seconds:.0f} s: {counts}")
    else:
        call_command("load_question_bank", verbosity=0)
        print(f"Seeding {'quick' if args.quick else 'default'} scale: {params}", flush=True)
        started = time.monotonic()
        counts = seed.seed(params, log=lambda line: print(line, flush=True))
        seconds = time.monotonic() - started
        seed.mark_seeded(url, params, counts, seconds)
        print(f"Seeded in {seconds:.0f} s: {counts}", flush=True)
    # Closed rounds publish their final figures when first read or by the daily job; peers'
    # benchmarks read them, so they are made here, once, as that job would have.
    from assessments.figures import publish_final_snapshots
    from assessments.models import Round

    started = time.monotonic()
    made = publish_final_snapshots(Round.objects.all())
    if made:
        print(
            f"Published the final figures of {made:,} closed rounds in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
    if args.quick:
        print(
            "Quick mode: the largest round has 1,000 responses, so the figures keyed 10000 "
            "below are measured at 1,000."
        )

    from bench import measure

    sections = set(args.only.split(",")) if args.only else None
    results = measure.run_all(
        root=ROOT,
        # gunicorn's: the same, answering to 127.0.0.1 alone.
        environment={
            **{
                k: os.environ[k]
                for k in [*production_environment(url), "STATICFILES_BACKEND"]
                if k in os.environ
            },
            "ALLOWED_HOSTS": "127.0.0.1",
        },
        http_seconds=args.http_seconds,
        load_tool=args.load,
        worker_class=args.worker_class,
        sections=sections,
        log=lambda line: print(line, flush=True),
    )
    results["static_backend"] = static_backend
    results["seed_s"] = round(seconds, 1)
    results["seed_reused"] = reuse
    results["quick"] = args.quick
    results["total_s"] = round(time.monotonic() - began, 1)
    print()
    print(measure.table(results))
    print()
    print(
        f"Total time {results['total_s']:.0f} s (seeding {seconds:.0f} s"
        f"{', reused' if reuse else ''})."
    )
    speed = results["machine"]
    print(
        f"Machine speed: the reference work took {speed['reference_ms']} ms before and "
        f"{speed['reference_after_ms']} ms after (bench.measure.reference_ms: lower is faster)."
    )
    print(json.dumps(results, sort_keys=False))
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
