"""How many emails a second one database-backend worker sends: `python bench/email_worker.py`.

Queues N emails, starts a local SMTP server (aiosmtpd) that accepts everything, runs
`manage.py db_worker --batch` once and times the messages as they arrive, from the first to
the last (the worker's start-up is left out). The database is DATABASE_URL when that is
PostgreSQL (its tables are emptied of emails and tasks first), else a new SQLite file.

    python bench/email_worker.py               # 1,000 emails
    python bench/email_worker.py --count 200
    python bench/email_worker.py --invitations --count 10000

With --invitations the emails are staff invitations to a round (assessments.outreach): it
also times `invite_staff`, what the lead waits for, and the worker then writes each batch's
e-mails into the outbox before sending them.
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
    parser.add_argument("--invitations", action="store_true", help="staff invitations")
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
    queuing = None
    if args.invitations:
        queuing = invite(args.count)
    else:
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
    figures = {"database": vendor, "emails": args.count, "emails_per_second": round(rate)}
    if queuing is not None:
        print(f"invite_staff took {queuing:.2f} s for {args.count} invitations")
        figures["invite_staff_s"] = round(queuing, 2)
    print(json.dumps(figures))


def invite(count):
    """Invite `count` staff to a new open round, as the lead's "Send" does; the seconds taken."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from assessments.models import Organisation, Round
    from assessments.outreach import Invitee, invite_staff
    from maturity.models import QuestionnaireVersion

    call_command("load_question_bank", verbosity=0)
    version = QuestionnaireVersion.objects.filter(status="published").first()
    organisation, _ = Organisation.objects.get_or_create(
        name="Email bench council", defaults={"function": "01", "size_band": "l", "region": "nw"}
    )
    today = timezone.localdate()
    round = Round.objects.create(
        organisation=organisation,
        questionnaire_version=version,
        title=f"Email bench {timezone.now():%H%M%S}",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=28),
        status=Round.Status.OPEN,
    )
    invitees = [Invitee(f"staff{n}@example.gov.uk") for n in range(count)]
    started = time.perf_counter()
    invite_staff(round=round, invitees=invitees, base_url="https://maturity.example.gov.uk")
    return time.perf_counter() - started


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
