"""An email backend that sends through GOV.UK Notify, with Notify's own Python client.

Notify sends from the service's address and makes the HTML itself, so every message goes
through one email template of the service whose subject is "((subject))" and whose body is
"((body))". Choose it with EMAIL_URL=notify:// and set NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID
(docs/deploy.md). The message's Message-ID goes with it as Notify's reference.
"""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from maturity.mail import Undeliverable


class EmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, *, api_key=None, template_id=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_TEMPLATE_ID
        self.client = None

    def open(self):
        if self.client is not None:
            return False
        self.client = NotificationsAPIClient(self.api_key, base_url=settings.NOTIFY_BASE_URL)
        return True

    def close(self):
        if self.client is not None:
            self.client.request_session.close()
            self.client = None

    def send_messages(self, email_messages):
        opened = self.open()
        try:
            return sum(self.send(message) for message in email_messages)
        finally:
            if opened:
                self.close()

    def send(self, message):
        try:
            for address in message.recipients():
                self.client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.extra_headers.get("Message-ID"),
                )
        except HTTPError as error:
            if self.fail_silently:
                return 0
            # 400 is Notify's word for a message it will never send (a malformed address, or
            # one a trial service may not send to); the rest (403, 429, 5xx) may pass.
            if error.status_code == 400:
                raise Undeliverable(str(error)) from error
            raise
        return 1
