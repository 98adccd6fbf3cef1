"""Forms of the ticket pages (CSRF on every one). Files are read from ``request.files``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.web.forms import Email

PRIORITY_CHOICES = [
    SelectChoice("low", _l("Low")),
    SelectChoice("medium", _l("Medium")),
    SelectChoice("high", _l("High")),
]
STATUS_CHOICES = [
    SelectChoice("open", _l("Open")),
    SelectChoice("answered", _l("Answered")),
    SelectChoice("customer_reply", _l("Customer reply")),
    SelectChoice("on_hold", _l("On hold")),
    SelectChoice("closed", _l("Closed")),
]


class TicketForm(FlaskForm):
    """A new ticket: department, subject, priority, optionally a service, the message."""

    department_id = SelectField(_l("Department"), coerce=int, validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, default="medium")
    service_id = SelectField(_l("Related service"), coerce=int, default=0)
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=50_000)])


class ReplyForm(FlaskForm):
    """A reply to a ticket."""

    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=50_000)])


class StaffReplyForm(ReplyForm):
    """A staff reply, or an internal note the customer never sees."""

    internal = BooleanField(_l("Internal note (the customer never sees it)"))


class AssignForm(FlaskForm):
    """Assign a ticket to a staff member (0: nobody)."""

    assignee = SelectField(_l("Assigned to"), coerce=int)


class StatusForm(FlaskForm):
    """Set a ticket's status."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class DepartmentForm(FlaskForm):
    """A department: name, address for notifications, visibility, members."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    slug = StringField(
        _l("Short name (letters, digits, hyphens)"),
        validators=[DataRequired(), Length(max=64), Regexp(r"^[a-z0-9-]+$")],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    visible = BooleanField(_l("Visible to customers"), default=True)
    notify_email = StringField(_l("Notification e-mail"), validators=[Optional(), Email(), Length(max=254)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional()])
    members = SelectMultipleField(_l("Staff members"), coerce=int)
