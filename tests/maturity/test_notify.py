"""The GOV.UK Notify email backend, against a fake Notify API on this machine."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maturity.mail import deliver_email, queue_email
from maturity.models import Email

pytestmark = pytest.mark.django_db

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
TEMPLATE_ID = str(uuid.uuid4())


class FakeNotify(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, dict(self.headers), json.loads(body)))
        status, reply = self.server.reply
        payload = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    server.requests = []
    server.reply = (201, {"id": str(uuid.uuid4()), "content": {}, "template": {}})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "maturity.notify.EmailBackend"
    settings.NOTIFY_API_KEY = f"maturity_live-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def queue():
    return queue_email(
        to="lead@example.gov.uk",
        subject="Set a password",
        body="Choose a password:\n\nhttps://maturity.example.gov.uk/accounts/password/reset/x/",
    )


def test_notify_is_sent_the_template_with_subject_and_body_signed_with_the_key(notify):
    email = queue()

    assert deliver_email.call([email.pk]) == {"sent": 1}

    ((path, headers, payload),) = notify.requests
    assert path == "/v2/notifications/email"
    assert payload == {
        "email_address": "lead@example.gov.uk",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "Set a password",
            "body": "Choose a password:\n\n"
            "https://maturity.example.gov.uk/accounts/password/reset/x/",
        },
        "reference": email.message_id,
    }
    scheme, token = headers["Authorization"].split()
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert abs(claims["iat"] - time.time()) < 60
    assert SECRET not in json.dumps(headers)  # signed with the key, never sent
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_an_address_notify_refuses_is_given_up(notify):
    notify.reply = (
        400,
        {
            "status_code": 400,
            "errors": [
                {"error": "BadRequestError", "message": "email_address Not a valid email address"}
            ],
        },
    )
    email = queue()

    assert deliver_email.call([email.pk]) == {"given up": 1}

    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "Undeliverable" in email.last_error and "Not a valid email address" in email.last_error


@pytest.mark.parametrize("status", [403, 429, 500, 503])
def test_notify_busy_down_or_misconfigured_is_retried(notify, status, database_tasks):
    notify.reply = (status, {"status_code": status, "errors": [{"error": "Busy"}]})
    email = queue()

    assert deliver_email.call([email.pk]) == {"retry": 1}

    (retry,) = DBTaskResult.objects.all()
    assert retry.args_kwargs["args"] == [[email.pk]]
    assert retry.run_after > timezone.now()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
