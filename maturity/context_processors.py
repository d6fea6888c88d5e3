from django.conf import settings


def service(request):
    """The service name, shown in the header and page titles, and who to contact."""
    return {"service_name": settings.SERVICE_NAME, "contact_email": settings.CONTACT_EMAIL}
