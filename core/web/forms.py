"""Forms of the core web pages (Flask-WTF: CSRF on every one).

Forms check the shape of the input (required, a valid e-mail, at most so long);
the rules (a password's minimum length from ``security.password_min_length``, a
taken e-mail) are the domain services', which every way in shares.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


class Email:
    """E-mail syntax check (email-validator), without DNS look-ups.

    Special-use domains such as ``.test`` are accepted, so demo and test
    accounts work; deliverability is proven by the verification mail instead.
    """

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as exc:
            raise ValidationError(_l("Enter a valid e-mail address.")) from exc


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class RegisterForm(FlaskForm):
    """A new customer account."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ForgotForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    """A new password through a reset link."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


def language_choices() -> list[SelectChoice]:
    """The panel's languages (``app.languages``), each named in itself ("Polski", "English")."""
    from core import runtime

    codes = [str(code) for code in runtime.config().get_value("app.languages")]
    return [SelectChoice(code, (Locale.parse(code).get_display_name(code) or code).capitalize()) for code in codes]


class ProfileForm(FlaskForm):
    """The customer's contact details and language."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class PasswordChangeForm(FlaskForm):
    """Change the password while logged in."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (buttons that change state)."""


class StaffForm(FlaskForm):
    """A new staff account."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("admin", _l("Administrator")),
            SelectChoice("billing", _l("Billing")),
            SelectChoice("support", _l("Support")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
