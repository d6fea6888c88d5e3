"""The site's users: organisation leads and viewers, and site admins."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """An organisation lead, viewer or site admin. Respondents never have accounts."""

    class Meta(AbstractUser.Meta):
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username
