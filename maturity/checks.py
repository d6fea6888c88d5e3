"""System checks for settings that `check --deploy` should refuse."""

from django.conf import settings
from django.core import checks

# Backends that keep messages on the server: their logs, files or memory.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints them to the log",
    "django.core.mail.backends.filebased.EmailBackend": "writes them to files",
    "django.core.mail.backends.locmem.EmailBackend": "keeps them in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws them away",
}


@checks.register(checks.Tags.security, deploy=True)
def check_email_leaves_the_server(app_configs, **kwargs):
    """Password reset and invitation emails carry set-password links: sign-in secrets.

    Printed to the log, anyone who can read the log can take over the account.
    """
    what = LOCAL_EMAIL_BACKENDS.get(settings.EMAIL_BACKEND)
    if what is None:
        return []
    return [
        checks.Error(
            f"Email is not sent: EMAIL_BACKEND {settings.EMAIL_BACKEND} {what}. Password "
            "reset and invitation emails hold set-password links, which must not reach logs "
            "or files on the server.",
            hint="Set EMAIL_URL to your mail relay (smtp+tls://USER:PASSWORD@HOST:587) or to "
            "notify:// for GOV.UK Notify. See docs/deploy.md.",
            id="maturity.E001",
        )
    ]
