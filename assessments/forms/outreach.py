"""The lead's forms for reaching staff: a list of addresses to invite, reminders, the summary.

A list comes pasted (one address a line) or as a CSV file, as spreadsheets save them: UTF-8
with or without Excel's byte-order mark, commas or (in many European locales) semicolons or
tabs, with or without a header row, and addresses as mail programs copy them
(`Ann Smith <ann@example.gov.uk>`). A second column, or one headed "unit", names the unit.
Anything else is an error naming its line, and then nothing is invited: the lead puts the
list right and checks it again.
"""

import csv
import datetime
from dataclasses import dataclass, field
from email.utils import parseaddr

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import date_format

from assessments.forms.survey import ErrorSummaryMixin, form_helper
from assessments.outreach import Invitee
from assessments.reminders import REMINDER_DAYS

MAX_ADDRESSES = 20_000
MAX_FILE_BYTES = 2 * 1024 * 1024
# Errors listed by line: past this many, the rest are counted.
MAX_LISTED_ERRORS = 50
HEADER_NAMES = {"email", "e-mail", "email address", "e-mail address", "address", "emails"}
UNIT_HEADER_NAMES = {"unit", "units", "directorate", "department", "team"}


@dataclass
class AddressList:
    invitees: list[Invitee] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates: int = 0
    bad_lines: int = 0

    def as_text(self) -> str:
        """The list as one address (and unit) a line, which reads back as the same list."""
        return "\n".join(
            f"{i.address},{i.unit.name}" if i.unit else i.address for i in self.invitees
        )


def decode(data: bytes) -> str:
    """The file's text, or ValidationError naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            f"Line {line} is not UTF-8 text. In Excel, save the file as “CSV UTF-8 (comma "
            "delimited)” and upload it again",
            code="not_utf8",
        ) from None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in ("\t", ";"):
        if delimiter in first and "," not in first:
            return delimiter
    return ","


def read_addresses(text: str, *, units) -> AddressList:
    """Every address (and unit) in `text`, each once, with an error for each bad line."""
    text = text.lstrip("\ufeff")
    by_name = {unit.name.casefold(): unit for unit in units}
    result = AddressList()
    seen: dict[str, tuple[int, Invitee]] = {}
    address_column, unit_column, rows = 0, 1, 0
    header_checked = False
    reader = csv.reader(text.splitlines(), delimiter=_delimiter(text))

    def bad(line, message):
        result.bad_lines += 1
        if len(result.errors) < MAX_LISTED_ERRORS:
            result.errors.append(f"Line {line}: {message}")

    for line, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        first_row, header_checked = not header_checked, True
        names = [cell.casefold() for cell in cells]
        if first_row and HEADER_NAMES & set(names):
            address_column = next(i for i, n in enumerate(names) if n in HEADER_NAMES)
            unit_column = next((i for i, n in enumerate(names) if n in UNIT_HEADER_NAMES), -1)
            continue
        rows += 1
        if rows > MAX_ADDRESSES:
            raise ValidationError(
                f"The list has more than {MAX_ADDRESSES:,} addresses. Invite at most "
                f"{MAX_ADDRESSES:,} at a time",
                code="too_many",
            )
        # A row copied from a mail program's "To" line: every cell is an address.
        if len(cells) > 1 and all("@" in cell for cell in cells if cell):
            pairs = [(cell, "") for cell in cells if cell]
        else:
            unit = cells[unit_column] if 0 <= unit_column < len(cells) else ""
            given = cells[address_column] if address_column < len(cells) else ""
            pairs = [(given, unit)]
        for given, unit_name in pairs:
            address = parseaddr(given)[1].strip().lower() if "<" in given else given.lower()
            try:
                validate_email(address)
            except ValidationError:
                bad(line, f"“{given[:100]}” is not an email address" if given else "no address")
                continue
            unit = None
            if unit_name:
                unit = by_name.get(unit_name.casefold())
                if unit is None:
                    known = ", ".join(u.name for u in units) or "none have been added"
                    bad(line, f"“{unit_name[:100]}” is not one of the units ({known})")
                    continue
            invitee = Invitee(address=address, unit=unit)
            if address in seen:
                first_line, first = seen[address]
                if first.unit != unit:
                    bad(line, f"{address} is also on line {first_line}, with another unit")
                else:
                    result.duplicates += 1
                continue
            seen[address] = (line, invitee)
    result.invitees = [invitee for _, invitee in seen.values()]
    if result.bad_lines > len(result.errors):
        more = result.bad_lines - len(result.errors)
        result.errors.append(f"And {more:,} more line{'s' if more != 1 else ''} with problems")
    return result


class InviteStaffForm(ErrorSummaryMixin, forms.Form):
    addresses = forms.CharField(
        label="Paste email addresses",
        help_text="One a line. To say which unit someone works in, put a comma after their "
        "address and then the unit’s name.",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        required=False,
    )
    file = forms.FileField(
        label="Or upload a spreadsheet (CSV file)",
        help_text="Addresses in the first column, or in a column headed “email”; units in "
        "the second column, or one headed “unit”. At most 20,000 addresses, 2 MB.",
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.helper = form_helper(
            Layout(
                Field.textarea("addresses", label_size=Size.SMALL),
                Field("file", context={"label_size": Size.for_label(Size.SMALL)}),
            )
        )

    def clean(self):
        upload, text = self.cleaned_data.get("file"), self.cleaned_data.get("addresses", "")
        where = "file" if upload else "addresses"
        if upload:
            if upload.size > MAX_FILE_BYTES:
                self.add_error("file", ValidationError("The file must be 2 MB or smaller"))
                return self.cleaned_data
            try:
                text = decode(upload.read())
            except ValidationError as error:
                self.add_error("file", error)
                return self.cleaned_data
        elif not text.strip():
            self.add_error(
                "addresses", ValidationError("Paste email addresses or upload a CSV file")
            )
            return self.cleaned_data
        try:
            found = read_addresses(text, units=self.units)
        except ValidationError as error:
            self.add_error(where, error)
            return self.cleaned_data
        for message in found.errors:
            self.add_error(where, ValidationError(message, code="bad_line"))
        if not found.errors and not found.invitees:
            self.add_error(where, ValidationError("The list has no email addresses"))
        self.cleaned_data["found"] = found
        return self.cleaned_data


class ConfirmInvitationsForm(forms.Form):
    """The checked list, sent back with "Send invitations" and read again."""

    invitees = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)

    def clean_invitees(self):
        found = read_addresses(self.cleaned_data["invitees"], units=self.units)
        if found.errors or not found.invitees:
            raise ValidationError("The list changed: check it again", code="changed")
        return found.invitees


class ReminderScheduleForm(ErrorSummaryMixin, forms.Form):
    days = forms.TypedMultipleChoiceField(
        label="When should reminders go?",
        help_text="Only to people who have not submitted yet, and never more than one a day.",
        choices=[(d, f"{d} day{'s' if d != 1 else ''} before closing") for d in REMINDER_DAYS],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, closes_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if closes_on is not None:
            # The date beside each choice, so that the lead sees which have passed.
            self.fields["days"].choices = [
                (d, f"{label} ({date_format(closes_on - datetime.timedelta(days=d), 'j F')})")
                for d, label in self.fields["days"].choices
            ]
        self.helper = form_helper(
            Layout(Field.checkboxes("days", legend_size=Size.MEDIUM, legend_tag="h2"))
        )
