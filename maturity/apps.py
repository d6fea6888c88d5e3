from django.apps import AppConfig


class MaturityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "maturity"
    verbose_name = "Question bank"

    def ready(self):
        from maturity import checks  # noqa: F401  (registers the system checks)
