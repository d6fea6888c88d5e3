from django.urls import path

from reports.views import comments, plans, report, respondent, summary

app_name = "reports"

urlpatterns = [
    path("rounds/<int:pk>/report/", report.round_report, name="round"),
    path("rounds/<int:pk>/report/themes/<slug:key>/", report.theme_report, name="theme"),
    path("rounds/<int:pk>/report/compare/", report.choose_comparison, name="choose_comparison"),
    path("rounds/<int:pk>/board-summary.pdf", report.board_pdf, name="board_pdf"),
    path("rounds/<int:pk>/full-report.pdf", report.full_pdf, name="full_pdf"),
    path("rounds/<int:pk>/figures.csv", report.figures_csv, name="figures_csv"),
    path("rounds/<int:pk>/answers.csv", report.answers_csv, name="answers_csv"),
    path("rounds/<int:pk>/method.json", report.method_json, name="method_json"),
    path("rounds/<int:pk>/comments/", comments.round_comments, name="comments"),
    path("organisations/<int:pk>/actions.csv", plans.actions_csv, name="actions_csv"),
    path("comments/<int:pk>/hide/", comments.hide, name="hide_comment"),
    # A respondent's own scores once they have submitted: public, like the survey.
    path("survey/done/", respondent.confirmation, name="confirmation"),
    path("s/<str:open_token>/results/", summary.staff_summary, name="staff_summary"),
]
