from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rounds/<int:pk>/report/", views.round_report, name="round"),
    path("rounds/<int:pk>/board-summary.pdf", views.board_pdf, name="board_pdf"),
    path("rounds/<int:pk>/full-report.pdf", views.full_pdf, name="full_pdf"),
    path("rounds/<int:pk>/figures.csv", views.figures_csv, name="figures_csv"),
    path("rounds/<int:pk>/answers.csv", views.answers_csv, name="answers_csv"),
    # A respondent's own scores once they have submitted: public, like the survey.
    path("survey/done/", views.confirmation, name="confirmation"),
]
