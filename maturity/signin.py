"""Failed sign-ins, as django-axes counts them: per account and address, and per address.

Axes locks a user name out after AXES_FAILURE_LIMIT failures from one address. On its own
that lets one address try a few passwords on every account in turn, so `AddressLimitHandler`
also refuses an address once its failures across all user names, within the same cool-off,
reach SIGNIN_ADDRESS_FAILURE_LIMIT. Both read the attempts axes keeps in its table, so they
expire together and `axes_reset` clears both.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum

# Axes stores the user name in a column of this many characters: a longer one, sent by anyone
# to the sign-in form, failed the insert on PostgreSQL and so was never counted.
ATTEMPT_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempt_username(request, credentials=None):
    """The user name axes records (AXES_USERNAME_CALLABLE): the one typed, cut to fit.

    Names that share their first 255 characters count as one; no account has a name that long.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return None if username is None else username[:ATTEMPT_USERNAME_LENGTH]


def address_failures(request):
    """Failed sign-ins from the request's address, on any account, within the cool-off."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AddressLimitHandler(AxesDatabaseHandler):
    """Axes' database handler, also locking out an address that fails on many accounts.

    Axes asks twice: `is_locked` before checking a password (so a locked-out address cannot
    sign in even with the right one), and after recording a failure, where it decides from
    its own count alone; `user_login_failed` adds the address's count there.
    """

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
