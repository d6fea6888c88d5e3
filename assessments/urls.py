from django.urls import path

from assessments.views import links, organisations, outreach, plans, rounds, survey

app_name = "assessments"

urlpatterns = [
    # Respondents: public pages, reached by a token (in the path, then in the session).
    path("s/<str:open_token>/", links.open_link, name="open_link"),
    path("r/<str:token>/", links.resume, name="resume"),
    path("stop-reminders/<str:stop_token>/", outreach.stop, name="stop_reminders"),
    path("survey/", survey.tasks, name="tasks"),
    path("survey/start/", links.start, name="start"),
    path("survey/about-you/", survey.about_you, name="about_you"),
    path("survey/themes/<slug:theme_key>/", survey.theme_page, name="theme"),
    path("survey/check/", survey.check, name="check"),
    path("survey/submit/", survey.submit, name="submit"),
    # Organisation leads and viewers, signed in.
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/<int:pk>/", organisations.organisation, name="organisation"),
    path("organisations/<int:pk>/rounds/new/", rounds.create_round, name="create_round"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", rounds.edit_round, name="edit_round"),
    path("rounds/<int:pk>/open/", rounds.open_round, name="open_round"),
    path("rounds/<int:pk>/close/", rounds.close_round, name="close_round"),
    path("rounds/<int:pk>/personal-links/", rounds.personal_links, name="personal_links"),
    path("rounds/<int:pk>/open-link/", rounds.switch_open_link, name="switch_open_link"),
    path("rounds/<int:pk>/staff/", outreach.staff, name="staff"),
    path("rounds/<int:pk>/staff/reminders/", outreach.reminders, name="reminders"),
    path("rounds/<int:pk>/staff/summary/", outreach.staff_summary, name="staff_summary"),
    path("organisations/<int:pk>/access-log/", organisations.access_log, name="access_log"),
    # The organisation's plan: targets, the leadership's view, actions.
    path("organisations/<int:pk>/plan/", plans.plan, name="plan"),
    path(
        "organisations/<int:pk>/plan/themes/<slug:key>/target/",
        plans.edit_target,
        name="edit_target",
    ),
    path("organisations/<int:pk>/plan/themes/<slug:key>/view/", plans.edit_view, name="edit_view"),
    path("organisations/<int:pk>/plan/actions/new/", plans.add_action, name="add_action"),
    path(
        "organisations/<int:pk>/plan/actions/<int:action_pk>/",
        plans.edit_action,
        name="edit_action",
    ),
    path(
        "rounds/<int:pk>/actions/from-recommendation/",
        plans.action_from_recommendation,
        name="action_from_recommendation",
    ),
]
