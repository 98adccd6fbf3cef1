"""Forms of the core web pages (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

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
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])


class ForgotForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    """A new password through a reset link."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])


class ProfileForm(FlaskForm):
    """The customer's contact details and language."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Language"), choices=[SelectChoice("pl", "Polski"), SelectChoice("en", "English")])


class PasswordChangeForm(FlaskForm):
    """Change the password while logged in."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])


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
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])
