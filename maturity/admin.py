"""The Django admin is the question-bank editor.

A version's levels and themes are edited on the version's page; a theme's questions, each
with its five options, and its recommendations on the theme's page, whose Save returns to the
version. Published and retired versions are read-only throughout: every inline and change
permission asks the version. A theme's preview, drawn with the survey's own form, is added by
assessments/admin.py.
"""

import nested_admin
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from maturity import forms as editor_forms
from maturity.models import (
    AnswerOption,
    Email,
    MaturityLevel,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Recommendation,
    Theme,
    User,
)
from maturity.versioning import clone_version


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """The outbox, to see what is queued or given up. Read-only; bodies are never shown."""

    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    fields = ["to", "subject", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _editable(obj):
    """Whether the version `obj` belongs to (or is) may still change."""
    # An object being added (the add page's inlines ask about it) has no version yet.
    if obj is None or obj.pk is None:
        return True
    version = obj if isinstance(obj, QuestionnaireVersion) else obj.version
    return version.is_editable


class VersionLockMixin:
    """Read-only once the version is published: the admin view of the domain rule."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _editable(obj)


class LockedInlineMixin(VersionLockMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _editable(obj)


# Two-line text boxes: a descriptor is at most 25 words (decision 11), and ten-line boxes
# made a theme's page 10,500 pixels tall. Each box can still be dragged taller. Theme
# descriptions and recommendations run to 40 words, so they get three lines.
COMPACT_TEXT = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 2})}}
THREE_LINE_TEXT = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}


class AnswerOptionInline(LockedInlineMixin, nested_admin.NestedTabularInline):
    model = AnswerOption
    extra = 0
    min_num = 5
    max_num = 5
    fields = ["level", "descriptor"]
    ordering = ["level"]
    formfield_overrides = COMPACT_TEXT
    formset = editor_forms.OptionFormSet


class QuestionInline(LockedInlineMixin, nested_admin.NestedStackedInline):
    model = Question
    extra = 0
    inlines = [AnswerOptionInline]
    sortable_field_name = "order"
    fieldsets = [
        (None, {"fields": [("concept_key", "order", "weight"), "text"]}),
        # Folded, so that a question's options follow its text; it opens itself on an error.
        ("Guidance", {"fields": ["why", "good", "references"], "classes": ["collapse"]}),
        (None, {"fields": [("allow_not_applicable", "allow_dont_know")]}),
    ]
    formfield_overrides = COMPACT_TEXT
    formset = editor_forms.QuestionFormSet


class RecommendationInline(LockedInlineMixin, nested_admin.NestedTabularInline):
    model = Recommendation
    extra = 0
    max_num = 5
    fields = ["level", "text"]
    verbose_name_plural = "recommendations (what to do at each level to reach the next)"
    formfield_overrides = THREE_LINE_TEXT
    formset = editor_forms.RecommendationFormSet


class EditorPageMixin:
    """The change pages where the bank is edited: without the admin's navigation sidebar,
    whose two dozen links repeat the index page and came before the form in Tab order."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Theme)
class ThemeAdmin(EditorPageMixin, VersionLockMixin, nested_admin.NestedModelAdmin):
    list_display = ["title", "key", "questionnaire_version", "order", "weight", "question_count"]
    list_filter = ["questionnaire_version__questionnaire", "questionnaire_version"]
    search_fields = ["title", "key", "description"]
    list_select_related = ["questionnaire_version__questionnaire"]
    fields = ["questionnaire_version", ("key", "order", "weight"), "title", "description"]
    inlines = [QuestionInline, RecommendationInline]
    ordering = ["questionnaire_version", "order"]
    formfield_overrides = THREE_LINE_TEXT

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_questions=Count("questions"))

    @admin.display(description="questions", ordering="n_questions")
    def question_count(self, theme):
        return theme.n_questions

    def response_post_save_add(self, request, obj):
        return self._back_to_version(obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_version(obj)

    def _back_to_version(self, theme):
        # Themes are reached from their version's page, where the next one is a click away.
        version = theme.questionnaire_version_id
        return redirect("admin:maturity_questionnaireversion_change", version)

    def get_readonly_fields(self, request, obj=None):
        # A theme never moves to another version.
        return ["questionnaire_version"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "questionnaire_version":
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(
                status=QuestionnaireVersion.Status.DRAFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MaturityLevelInline(LockedInlineMixin, admin.TabularInline):
    model = MaturityLevel
    extra = 0
    max_num = 5
    fields = ["level", "name", "description"]
    formfield_overrides = COMPACT_TEXT
    formset = editor_forms.LevelFormSet


class ThemeInline(LockedInlineMixin, admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["order", "key", "title", "weight", "preview"]
    readonly_fields = ["preview"]
    show_change_link = True
    verbose_name_plural = "themes (open a theme to edit its questions, options and recommendations)"
    formset = editor_forms.ThemeFormSet

    @admin.display(description="")
    def preview(self, theme):
        if not theme.pk:
            return ""
        url = reverse("admin:maturity_theme_preview", args=[theme.pk])
        return format_html('<a href="{}">Preview as a respondent</a>', url)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(EditorPageMixin, VersionLockMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "theme_count",
        "question_count",
        "created_at",
        "published_at",
    ]
    list_filter = ["status", "questionnaire"]
    search_fields = ["questionnaire__name", "notes", "description"]
    readonly_fields = ["status", "based_on", "created_at", "published_at", "retired_at"]
    fieldsets = [
        (None, {"fields": ["questionnaire", "number", "description", "notes"]}),
        ("History", {"fields": ["status", "based_on", "created_at", "published_at", "retired_at"]}),
    ]
    inlines = [MaturityLevelInline, ThemeInline]
    actions = ["create_draft", "publish"]
    change_form_template = "admin/maturity/questionnaireversion/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("questionnaire")
            .annotate(
                n_themes=Count("themes", distinct=True),
                n_questions=Count("themes__questions", distinct=True),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return [*self.readonly_fields, "questionnaire", "number"]
        return self.readonly_fields

    @admin.display(description="themes", ordering="n_themes")
    def theme_count(self, version):
        return version.n_themes

    @admin.display(description="questions", ordering="n_questions")
    def question_count(self, version):
        return version.n_questions

    @admin.action(description="Create a new draft from this version")
    def create_draft(self, request, queryset):
        for version in queryset:
            draft = clone_version(source=version)
            self.message_user(
                request, f"Created {draft} as a draft copy of {version}.", messages.SUCCESS
            )

    @admin.action(description="Publish")
    def publish(self, request, queryset):
        for version in queryset:
            self._publish(request, version)

    def _publish(self, request, version):
        try:
            version.publish()
        except ValidationError as error:
            self.message_user(
                request,
                f"{version} was not published. Fix these problems first: "
                + " ".join(f"({n}) {problem}" for n, problem in enumerate(error.messages, 1)),
                messages.ERROR,
            )
            return False
        self.message_user(
            request,
            f"Published {version}. New rounds will use it; the version it replaces is retired.",
            messages.SUCCESS,
        )
        return True

    def get_urls(self):
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="maturity_questionnaireversion_publish",
            ),
            path(
                "<int:pk>/clone/",
                self.admin_site.admin_view(require_POST(self.clone_view)),
                name="maturity_questionnaireversion_clone",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, pk):
        version = get_object_or_404(QuestionnaireVersion, pk=pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        self._publish(request, version)
        return redirect("admin:maturity_questionnaireversion_change", pk)

    def clone_view(self, request, pk):
        version = get_object_or_404(QuestionnaireVersion, pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        draft = clone_version(source=version)
        self.message_user(
            request, f"Created {draft} as a draft copy of {version}.", messages.SUCCESS
        )
        return redirect("admin:maturity_questionnaireversion_change", draft.pk)


class VersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    fields = ["number", "status", "published_at", "notes"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VersionInline]


class OptionInline(LockedInlineMixin, admin.TabularInline):
    model = AnswerOption
    extra = 0
    min_num = 5
    max_num = 5
    fields = ["level", "descriptor"]
    formfield_overrides = COMPACT_TEXT
    formset = editor_forms.FlatOptionFormSet


@admin.register(Question)
class QuestionAdmin(VersionLockMixin, admin.ModelAdmin):
    """A flat list of every question, to search across themes and versions."""

    list_display = ["text_summary", "concept_key", "theme", "version", "weight"]
    list_filter = ["theme__questionnaire_version", "allow_not_applicable", "allow_dont_know"]
    search_fields = ["text", "concept_key", "why", "good", "options__descriptor"]
    list_select_related = ["theme__questionnaire_version__questionnaire"]
    fieldsets = QuestionInline.fieldsets
    inlines = [OptionInline]
    formfield_overrides = COMPACT_TEXT

    @admin.display(description="question", ordering="text")
    def text_summary(self, question):
        return str(question)

    @admin.display(description="version", ordering="theme__questionnaire_version")
    def version(self, question):
        return question.theme.questionnaire_version

    def has_add_permission(self, request):
        # Questions are added on their theme's page, where the theme is known.
        return False
