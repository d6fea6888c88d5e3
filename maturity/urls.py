from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from maturity import views

admin.site.site_header = f"{settings.SERVICE_NAME}: administration"
admin.site.site_title = settings.SERVICE_NAME
admin.site.index_title = "Question bank, organisations and rounds"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz/", views.health, name="health"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("assessments.urls")),
    path("", include("reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
]
