"""Organisations, their members and rounds, and a read-only view of responses.

Members join by invitation ("Invite a member" on the memberships list or an organisation's
page): the admin gives an email address and a role, and the person gets an email with a link
to choose their own password.

Responses are listed by their timestamps and role group only: never a token (it would let
an admin answer as the respondent) and never answers (reports show those only in aggregate).

The question bank's theme admin (maturity/admin.py) gains its "Preview as a respondent" page
here, where the survey's form is.

An organisation's plan (targets, the leadership's views, actions) is read-only here: its
leads keep it, and each of their changes is written to the organisation's access log.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from assessments.forms.survey import ThemeAnswersForm
from assessments.invitations import invite_member
from assessments.models import (
    Action,
    LeadershipView,
    Membership,
    Organisation,
    Response,
    Round,
    Target,
)
from maturity import admin as bank_admin
from maturity.models import Theme
from maturity.versioning import version_content
from maturity.views import site_url

admin.site.unregister(Theme)


@admin.register(Theme)
class ThemeAdmin(bank_admin.ThemeAdmin):
    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="maturity_theme_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The theme's questions as a respondent sees them, saving nothing."""
        theme = get_object_or_404(Theme.objects.select_related("questionnaire_version"), pk=pk)
        if not self.has_view_permission(request, theme):
            raise PermissionDenied
        themes = version_content(theme.questionnaire_version).themes
        shown = next(t for t in themes if t.pk == theme.pk)
        context = {
            **self.admin_site.each_context(request),
            "theme": shown,
            "questions": ThemeAnswersForm(
                questions=shown.questions.all(), answers={}
            ).render_questions(),
            "position": themes.index(shown) + 1,
            "theme_count": len(themes),
            "title": f"Preview: {theme.title}",
        }
        return TemplateResponse(request, "maturity/theme_preview.html", context)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "function", "size_band", "region", "created_at"]
    list_filter = ["function", "size_band", "region"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    change_form_template = "admin/assessments/organisation/change_form.html"


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address", help_text="Their work address: it is also their user name."
    )
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all())
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.LEAD,
        widget=forms.RadioSelect,
        help_text="Leads run rounds; viewers read the reports.",
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    change_list_template = "admin/assessments/membership/change_list.html"

    def get_urls(self):
        return [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name="assessments_membership_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request):
        """Invite someone by email: a new account if needed, the membership, and a link."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = InviteMemberForm(request.POST)
            if form.is_valid():
                try:
                    invitation = invite_member(
                        **form.cleaned_data, base_url=site_url(request), invited_by=request.user
                    )
                except ValidationError as error:
                    form.add_error(None, f"Nothing was saved: the invitation failed ({error}).")
                else:
                    self.message_user(request, self._invited_message(invitation), messages.SUCCESS)
                    return redirect("admin:assessments_membership_changelist")
        else:
            form = InviteMemberForm(initial={"organisation": request.GET.get("organisation")})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Invite a member",
            "form": form,
        }
        return TemplateResponse(request, "admin/assessments/membership/invite.html", context)

    @staticmethod
    def _invited_message(invitation):
        membership = invitation.membership
        who = membership.user.email
        role = membership.get_role_display().lower()
        if invitation.created_user:
            done = f"Created an account for {who} and made them a {role} of"
        elif invitation.changed:
            done = f"{who} is now a {role} of"
        else:
            done = f"{who} was already a {role} of"
        return f"{done} {membership.organisation}. An invitation email to {who} is queued" + (
            " with a link to choose a password."
            if not membership.user.has_usable_password()
            else "."
        )


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "questionnaire_version",
        "status",
        "opens_on",
        "closes_on",
        "submitted_count",
    ]
    list_filter = ["status", "questionnaire_version"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation", "questionnaire_version__questionnaire"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "opens_on"
    fieldsets = [
        (None, {"fields": ["organisation", "questionnaire_version", "title"]}),
        ("Dates and anonymity", {"fields": ["opens_on", "closes_on", "anonymity_threshold"]}),
        (
            "Status",
            {
                "fields": [
                    "status",
                    "open_link",
                    "submitted_count",
                    "created_by",
                    "created_at",
                    "opened_at",
                    "closed_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "status",
        "open_link",
        "submitted_count",
        "created_by",
        "created_at",
        "opened_at",
        "closed_at",
    ]
    actions = ["open_rounds", "close_rounds"]

    def get_readonly_fields(self, request, obj=None):
        # A round's answers belong to its version: the version never changes once created.
        if obj:
            return [*self.readonly_fields, "questionnaire_version"]
        return self.readonly_fields

    @admin.display(description="open link")
    def open_link(self, round):
        if not round.pk:
            return "Shown once the round is saved."
        url = reverse("assessments:open_link", args=[round.open_token])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _apply(self, request, queryset, method, done):
        changed = 0
        for round in queryset:
            try:
                getattr(round, method)()
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{done} {changed} round(s).", messages.SUCCESS)

    @admin.action(description="Open the selected rounds to respondents")
    def open_rounds(self, request, queryset):
        self._apply(request, queryset, "open", "Opened")

    @admin.action(description="Close the selected rounds")
    def close_rounds(self, request, queryset):
        self._apply(request, queryset, "close", "Closed")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "role_group",
        "is_personal",
        "started_at",
        "last_saved_at",
        "submitted_at",
    ]
    list_filter = ["round__status", "role_group", "is_personal", "submitted_at"]
    search_fields = ["round__title", "round__organisation__name"]
    list_select_related = ["round__organisation"]
    fields = [
        "round",
        "role_group",
        "is_personal",
        "created_at",
        "started_at",
        "last_saved_at",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanAdmin(admin.ModelAdmin):
    list_filter = ["theme_key"]
    search_fields = ["organisation__name", "theme_key"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(PlanAdmin):
    list_display = ["organisation", "theme_key", "level", "target_on", "set_at"]


@admin.register(LeadershipView)
class LeadershipViewAdmin(PlanAdmin):
    list_display = ["organisation", "theme_key", "level", "agreed_by", "agreed_on", "review_by"]


@admin.register(Action)
class ActionAdmin(PlanAdmin):
    list_display = ["title", "organisation", "theme_key", "owner", "due_on", "status"]
    list_filter = ["status", "theme_key"]
    search_fields = ["title", "owner", "organisation__name"]
