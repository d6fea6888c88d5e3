from django.contrib.auth.decorators import login_not_required
from django.urls import path

from assessments.throttling import token_rate_limited
from assessments.views import rounds, survey


def token_link(view):
    """A link carrying a token in its path: public, and rate limited per client address."""
    return login_not_required(token_rate_limited(view))


app_name = "assessments"

urlpatterns = [
    # Respondents have no accounts, so their pages are public: the token (in the path, then
    # in the session) is the key, and LoginRequiredMiddleware must not ask them to sign in.
    path("s/<str:open_token>/", token_link(survey.open_link), name="open_link"),
    path("r/<str:token>/", token_link(survey.resume), name="resume"),
    path("survey/", login_not_required(survey.tasks), name="tasks"),
    path("survey/start/", login_not_required(survey.start), name="start"),
    path("survey/about-you/", login_not_required(survey.about_you), name="about_you"),
    path("survey/themes/<slug:theme_key>/", login_not_required(survey.theme_page), name="theme"),
    path("survey/check/", login_not_required(survey.check), name="check"),
    path("survey/submit/", login_not_required(survey.submit), name="submit"),
    path("survey/done/", login_not_required(survey.done), name="done"),
    # Organisation leads and viewers, signed in.
    path("organisations/", rounds.organisations, name="organisations"),
    path("organisations/<int:pk>/", rounds.organisation, name="organisation"),
    path("organisations/<int:pk>/rounds/new/", rounds.create_round, name="create_round"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", rounds.edit_round, name="edit_round"),
    path("rounds/<int:pk>/open/", rounds.open_round, name="open_round"),
    path("rounds/<int:pk>/close/", rounds.close_round, name="close_round"),
    path("rounds/<int:pk>/personal-links/", rounds.personal_links, name="personal_links"),
]
