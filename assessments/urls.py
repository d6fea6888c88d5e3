from django.urls import path

from assessments.views import survey

app_name = "assessments"

urlpatterns = [
    path("s/<str:open_token>/", survey.open_link, name="open_link"),
    path("r/<str:token>/", survey.resume, name="resume"),
    path("survey/", survey.tasks, name="tasks"),
    path("survey/start/", survey.start, name="start"),
    path("survey/about-you/", survey.about_you, name="about_you"),
    path("survey/themes/<slug:theme_key>/", survey.theme_page, name="theme"),
    path("survey/check/", survey.check, name="check"),
    path("survey/submit/", survey.submit, name="submit"),
    path("survey/done/", survey.done, name="done"),
]
