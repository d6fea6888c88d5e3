"""Demo data: organisations with a closed and an open round of realistic answers.

Everything goes through the functions real use goes through (Round.open and close,
issue_personal_links, start_response, save_role_group, save_answers, submit_response), so
the demo shows what the service really does with such answers; who answers what is
`assessments.demo`'s to say.

Running it again creates nothing: each organisation is made in one transaction and skipped
once it exists. Only the passwords of the accounts it prints are set again, to new random
values, so that no password is ever stored in the repository.
"""

import datetime
import random
import time

from axes.models import AccessAttempt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from assessments import demo as data
from assessments.figures import publish_snapshot
from assessments.models import (
    Action,
    Answer,
    LeadershipView,
    Membership,
    Organisation,
    Response,
    Round,
    Target,
    create_action,
    save_leadership_view,
    set_target,
)
from assessments.responses import (
    issue_personal_links,
    save_answers,
    save_role_group,
    start_personal_response,
    start_response,
    submit_response,
)
from maturity.models import Questionnaire, User


class Command(BaseCommand):
    help = (
        "Create demo organisations, each with a closed and an open round of realistic "
        "answers, their leads and viewers, and print the links and logins to try. Running it "
        "again creates nothing and only sets new passwords for the printed accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL or "http://127.0.0.1:8000",
            help="Site address used in the printed link (default: SITE_URL or %(default)s).",
        )

    def handle(self, *args, base_url, **options):
        questionnaire = Questionnaire.objects.filter(slug=data.QUESTIONNAIRE).first()
        version = questionnaire.current_version() if questionnaire else None
        if version is None:
            raise CommandError(
                "There is no published question bank. Load it first: "
                "python manage.py load_question_bank"
            )
        started = time.monotonic()
        bank = data.Bank(version)
        made = Round.objects.filter(
            organisation__name__in=[demo.name for demo in data.ORGANISATIONS],
            title__in=[data.EARLIER_ROUND, data.CURRENT_ROUND],
        ).count()
        if made < 2 * len(data.ORGANISATIONS):
            self.stdout.write(
                "Adding demo organisations and their staff's answers: about half a minute the "
                "first time…"
            )
            self.stdout.flush()
        created = 0
        for index, demo in enumerate(data.ORGANISATIONS):
            # One transaction an organisation: far faster than one a write on SQLite, and an
            # interrupted run leaves whole organisations, which the next run completes.
            with transaction.atomic():
                created += self.ensure_organisation(demo, index, bank)
        logins = self.reset_logins()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {created} demo rounds with their organisations and responses in "
                    f"{time.monotonic() - started:.1f} seconds."
                )
            )
        else:
            self.stdout.write("The demo data is already in place: nothing new was created.")
        current = Round.objects.get(
            organisation__name=data.ORGANISATIONS[0].name, title=data.CURRENT_ROUND
        )
        link = base_url.rstrip("/") + reverse("assessments:open_link", args=[current.open_token])
        self.stdout.write(f"Open survey link: {link}")
        for label, (username, password) in logins.items():
            self.stdout.write(f"{label}: {username} / {password}")

    def reset_logins(self):
        """New random passwords for the accounts printed, made if missing; lockouts lifted."""
        first, other = data.ORGANISATIONS[0], data.ORGANISATIONS[data.OTHER_ORGANISATION]
        accounts = {
            "Lead login": data.address("lead", first),
            "Other organisation lead login": data.address("lead", other),
            "Viewer login": data.address("viewer", first),
            "Admin login": "admin@demo.example",
        }
        logins = {}
        for label, username in accounts.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"email": username})
            password = data.new_password()
            user.set_password(password)
            if label == "Admin login":
                user.is_staff = user.is_superuser = True
            user.save()
            # Lift any sign-in lockout too, so running the command again always lets you in.
            AccessAttempt.objects.filter(username=username).delete()
            logins[label] = (username, password)
        return logins

    def member(self, username, organisation, role):
        user, created = User.objects.get_or_create(username=username, defaults={"email": username})
        if created:
            # Only the printed accounts get a password (reset_logins); the rest are there to
            # fill the admin's lists.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        return user

    def ensure_organisation(self, demo, index, bank):
        """The organisation, its members and its two rounds; returns how many rounds it made."""
        organisation, _ = Organisation.objects.get_or_create(
            name=demo.name,
            defaults={
                "function": demo.function,
                "size_band": demo.size_band,
                "region": demo.region,
            },
        )
        lead = self.member(data.address("lead", demo), organisation, Membership.Role.LEAD)
        self.member(data.address("viewer", demo), organisation, Membership.Role.VIEWER)
        if index == data.ALSO_VIEWS:
            self.member(
                data.address("lead", data.ORGANISATIONS[0]), organisation, Membership.Role.VIEWER
            )
        # Each organisation is stronger in some themes than others, in both rounds.
        rng = random.Random(demo.name)
        theme_bias = {theme.key: rng.gauss(0, 0.3) for theme in bank.themes}
        today = timezone.localdate()
        made = 0
        if not organisation.rounds.filter(title=data.EARLIER_ROUND).exists():
            rng = random.Random(f"{demo.name}/{data.EARLIER_ROUND}")
            tomorrow = today + datetime.timedelta(days=1)
            earlier = self.open_round(organisation, bank, lead, data.EARLIER_ROUND, today, tomorrow)
            self.answer_round(earlier, bank, demo, theme_bias, round_gain=0, rng=rng)
            earlier.close()
            publish_snapshot(earlier)
            self.move_back(earlier, days=data.EARLIER_OPENED_DAYS_AGO, rng=rng)
            made += 1
        if not organisation.rounds.filter(title=data.CURRENT_ROUND).exists():
            rng = random.Random(f"{demo.name}/{data.CURRENT_ROUND}")
            closes_on = today + datetime.timedelta(days=data.CURRENT_CLOSES_IN_DAYS)
            current = self.open_round(
                organisation, bank, lead, data.CURRENT_ROUND, today, closes_on
            )
            self.answer_round(
                current, bank, demo, theme_bias, round_gain=demo.improvement, rng=rng, drafts=True
            )
            self.move_back(current, days=data.CURRENT_OPENED_DAYS_AGO, rng=rng, still_open=True)
            made += 1
        if index == 0:
            self.ensure_plan(organisation, bank, lead)
        return made

    def ensure_plan(self, organisation, bank, lead):
        """The first organisation's plan (assessments.demo): targets, one moved since the
        baseline round; leadership views, one out of date; actions in every status. Made
        through the functions a lead's pages use, then dated back as move_back dates rounds."""
        if organisation.targets.exists() or organisation.actions.exists():
            return
        themes = {theme.key: theme for theme in bank.themes}
        today, now = timezone.localdate(), timezone.now()
        for key, level, due_in, days_ago in data.TARGETS:
            current = organisation.targets.filter(theme_key=key).order_by("-set_at").first()
            target = set_target(
                organisation=organisation,
                theme=themes[key],
                level=level,
                target_on=today + datetime.timedelta(days=due_in),
                user=lead,
                seen=current.pk if current else 0,
            )
            set_at = now - datetime.timedelta(days=days_ago)
            Target.objects.filter(pk=target.pk).update(set_at=set_at)
        for key, level, evidence, link, agreed, review_in in data.LEADERSHIP_VIEWS:
            save_leadership_view(
                organisation=organisation,
                theme=themes[key],
                user=lead,
                version=0,
                level=level,
                evidence=evidence,
                links=link,
                agreed_by="Corporate leadership team",
                agreed_on=today - datetime.timedelta(days=agreed),
                review_by=today + datetime.timedelta(days=review_in),
            )
        LeadershipView.objects.filter(organisation=organisation).update(updated_at=now)
        for n, (key, title, owner, status, due_in, done_ago) in enumerate(data.ACTIONS):
            theme = themes[key]
            recommendation = (
                theme.recommendations.filter(level=data.ACTION_FROM_LEVEL).first()
                if n == 0
                else None
            )
            create_action(
                organisation=organisation,
                theme=theme,
                user=lead,
                title=title,
                owner=owner,
                status=status,
                due_on=today + datetime.timedelta(days=due_in),
                recommendation=recommendation,
                completed_on=today - datetime.timedelta(days=done_ago) if done_ago else None,
            )
        Action.objects.filter(organisation=organisation).update(
            created_at=now - datetime.timedelta(days=200)
        )

    def open_round(self, organisation, bank, lead, title, opens_on, closes_on):
        round = Round.objects.create(
            organisation=organisation,
            questionnaire_version=bank.version,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=lead,
        )
        round.open()
        return round

    def answer_round(self, round, bank, demo, theme_bias, *, round_gain, rng, drafts=False):
        """30 to 40 submitted responses, most from personal links; a few drafts if asked."""
        links = issue_personal_links(round=round, count=rng.randint(40, 55))
        from_links = rng.randint(22, 26)
        submitted = from_links + rng.randint(8, 10)
        groups = data.role_groups(submitted)
        rng.shuffle(groups)
        for n, group in enumerate(groups):
            if n < from_links:
                response = links[n]
                start_personal_response(response=response)
            else:
                response = start_response(round=round)
            person = data.Respondent(
                rng, organisation=demo, round_gain=round_gain, theme_bias=theme_bias, group=group
            )
            save_role_group(response=response, role_group=group)
            for theme in bank.themes:
                save_answers(response=response, theme=theme, answers=person.answers(bank, theme))
            submit_response(response=response)
        if drafts:
            for n in range(rng.randint(2, 4)):
                group = rng.choice(data.GROUP_SHARES)[0]
                if n % 2:
                    response = links[from_links + n]
                    start_personal_response(response=response)
                else:
                    response = start_response(round=round)
                person = data.Respondent(
                    rng,
                    organisation=demo,
                    round_gain=round_gain,
                    theme_bias=theme_bias,
                    group=group,
                )
                save_role_group(response=response, role_group=group)
                for theme in bank.themes[: rng.randint(1, 4)]:
                    save_answers(
                        response=response, theme=theme, answers=person.answers(bank, theme)
                    )

    def move_back(self, round, *, days, rng, still_open=False):
        """Date the round `days` ago, as if it had run then.

        The domain functions answer only rounds open today, so each round is made, answered
        (and the earlier one closed) today, then moved back here with queryset updates: the
        round's dates and timestamps, and its responses' and answers', spread over the time it
        was open. Nothing else depends on these dates.
        """
        now = timezone.now()
        opened = now - datetime.timedelta(days=days)
        if still_open:
            closes_on = round.closes_on
            ended = now
        else:
            closes_on = timezone.localdate(opened) + datetime.timedelta(
                days=data.EARLIER_LENGTH_DAYS
            )
            ended = opened + datetime.timedelta(days=data.EARLIER_LENGTH_DAYS)
        Round.objects.filter(pk=round.pk).update(
            opens_on=timezone.localdate(opened),
            closes_on=closes_on,
            created_at=opened - datetime.timedelta(days=3),
            opened_at=opened,
            **({} if still_open else {"closed_at": ended}),
        )
        span = (ended - opened).total_seconds()
        responses = list(round.responses.all())
        for response in responses:
            response.created_at = opened
            if response.started_at:
                # Most people answer in the first days after the invitation.
                started = opened + datetime.timedelta(seconds=span * rng.random() ** 2)
                response.started_at = started
                # Never after the round ended, nor in the future.
                finished = min(ended, started + datetime.timedelta(minutes=rng.randint(12, 40)))
                response.last_saved_at = finished
                if response.submitted_at:
                    response.submitted_at = finished
        Response.objects.bulk_update(
            responses, ["created_at", "started_at", "last_saved_at", "submitted_at"], batch_size=500
        )
        Answer.objects.filter(response__round=round).update(
            saved_at=Subquery(
                Response.objects.filter(pk=OuterRef("response_id")).values("last_saved_at")[:1]
            )
        )
