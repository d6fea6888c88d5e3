"""How many emails a second one database-backend worker sends: `python bench/email_worker.py`.

Queues N emails, starts a local SMTP server (aiosmtpd) that accepts everything, runs
`manage.py db_worker --batch` once and times the messages as they arrive, from the first to
the last (the worker's start-up is left out). The database is DATABASE_URL when that is
PostgreSQL (its tables are emptied of emails and tasks first), else a new SQLite file.

    python bench/email_worker.py               # 1,000 emails
    python bench/email_worker.py --count 200
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    def __init__(self):
        self.arrivals = []

    async def handle_DATA(self, server, session, envelope):
        self.arrivals.append(time.perf_counter())
        return "250 2.0.0 Accepted"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = f"sqlite:///{tempfile.mkdtemp()}/email-bench.sqlite3"
    sink = Sink()
    controller = Controller(
        sink, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "DJANGO_SECRET_KEY": "email-benchmark",
        "TASKS_URL": "database://",
        "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from maturity.mail import queue_emails
    from maturity.models import Email

    call_command("migrate", verbosity=0)
    Email.objects.all().delete()
    DBTaskResult.objects.all().delete()
    with transaction.atomic():
        queue_emails(
            [
                Email(
                    to=f"staff{n}@example.gov.uk",
                    subject=f"Reminder {n}: the digital maturity survey closes on Friday",
                    body="Please answer the survey before it closes:\n\n"
                    f"https://maturity.example.gov.uk/r/{'x' * 43}/\n\nThank you.",
                )
                for n in range(args.count)
            ]
        )

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    finished = time.perf_counter()
    controller.stop()

    arrived = sink.arrivals
    assert len(arrived) == args.count, f"{len(arrived)} of {args.count} arrived"
    rate = (len(arrived) - 1) / (arrived[-1] - arrived[0])
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"{args.count} emails on {vendor}: {rate:.0f} a second while sending, ", end="")
    print(f"{finished - started:.1f} s in all with the worker's start-up")
    print(json.dumps({"database": vendor, "emails": args.count, "emails_per_second": round(rate)}))


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
