"""E-mail: rendered from the theme's ``mail/`` templates, queued in the outbox, sent by SMTP.

Nothing is sent inside a transaction: :func:`queue_mail` writes an outbox
message in the caller's transaction; :func:`send_queued_mail` (the outbox
handler of kind ``mail``) talks to the SMTP server later.
A mail template's first line is ``Subject: ...``; the rest is the plain-text body.

Headers are built only from single-line text (:func:`header_text`): the
subject line of a template is rendered on its own, and whatever its values
hold (a ticket subject with a line break sent through the API), line breaks
and other control characters become spaces. A value can therefore neither
add a header nor push text into the body.
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import jinja2

from core import i18n, i18n_domains, labels, outbox, runtime
from core.template_domains import DOMAIN_GETTEXT, PlainEnvironment, domain_gettext, plugin_template_domains
from core.themes import template_loader


def _environment(lang: str) -> PlainEnvironment:
    rt = runtime.current()
    key = f"mail-environment:{lang}"
    env = rt.cache.get(key)
    if env is None:
        env = PlainEnvironment(
            loader=template_loader(rt.config, rt.pm),
            extensions=["jinja2.ext.i18n"],
            autoescape=False,
            keep_trailing_newline=True,
        )
        translations = i18n.translations_for(lang)
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        env.filters["label"] = lambda code, table: labels.label(
            table, str(code), lambda context, message: str(translations.pgettext(context, message))
        )
        # A plugin's mail template translates in the plugin's domain, as its pages do.
        env.template_domains = plugin_template_domains(rt.pm)
        env.globals[DOMAIN_GETTEXT] = domain_gettext(lambda domain: i18n_domains.lookup(lang).chain(domain))
        rt.cache[key] = env
    return env


#: Characters that end a line for someone (RFC 5322, Python's str.splitlines) or are not text.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: Any) -> str:
    """``value`` as one line fit for a mail header: control characters and line breaks become one space."""
    return " ".join(_NOT_ONE_LINE.sub(" ", str(value or "")).split())


def _parts(template: str, lang: str) -> tuple[jinja2.Template, jinja2.Template]:
    """The subject line and the body of ``mail/<template>.txt`` as two templates (cached per runtime)."""
    key = f"mail-template:{lang}:{template}"
    cache = runtime.current().cache
    if key not in cache:
        env = _environment(lang)
        name = f"mail/{template}.txt"
        assert env.loader is not None
        source, filename, _uptodate = env.loader.get_source(env, name)
        first, _, rest = source.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"{name} must start with a 'Subject:' line")

        def compiled(text: str) -> jinja2.Template:
            # Compiled under the file's name, so a plugin's template translates in its domain.
            code = env.compile(text, name, filename)
            return env.template_class.from_code(env, code, env.make_globals(None), None)

        # The body keeps its line numbers (errors point at the file's lines).
        cache[key] = (compiled(first[len("Subject:") :]), compiled("\n" + rest))
    parts: tuple[jinja2.Template, jinja2.Template] = cache[key]
    return parts


def render_mail(template: str, lang: str, **context: Any) -> tuple[str, str]:
    """Render ``mail/<template>.txt`` in ``lang``; return (subject, body).

    The subject is the first line rendered alone and made one line
    (:func:`header_text`); the body is the rest.
    """
    config = runtime.config()
    context.setdefault("app_name", config.get_value("app.name"))
    context.setdefault("base_url", str(config.get_value("app.base_url")).rstrip("/"))
    subject, body = _parts(template, lang)
    return header_text(subject.render(**context)), body.render(**context).lstrip("\n")


def queue_mail(
    to: str,
    template: str,
    lang: str,
    dedupe_key: str | None = None,
    attachments: list[dict[str, str]] | None = None,
    secret: bool = False,
    **context: Any,
) -> None:
    """Render a mail and queue it in the current transaction; it is sent after commit.

    ``attachments``: ``[{"filename", "content_type", "data"}]`` with ``data`` in
    base64 (kept in the outbox row, so the mail is complete on any node).
    ``secret``: the body carries a one-time link (a reset or verification
    token); the outbox row forgets the body once the mail is sent (or given up).
    """
    subject, body = render_mail(template, lang, **context)
    payload: dict[str, Any] = {"to": to, "subject": subject, "body": body}
    if attachments:
        payload["attachments"] = attachments
    outbox.enqueue("mail", payload, dedupe_key=dedupe_key, forget=("body",) if secret else ())


def send_queued_mail(payload: dict[str, Any]) -> None:
    """Send one queued mail through the SMTP server of ``[mail]``; raises to be retried."""
    config = runtime.config()
    message = EmailMessage()
    message["From"] = header_text(config.get_value("mail.sender"))
    message["To"] = header_text(payload["to"])
    message["Subject"] = header_text(payload["subject"])
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="hookbill")
    message.set_content(payload["body"])
    for item in payload.get("attachments") or []:
        maintype, _, subtype = str(item["content_type"]).partition("/")
        message.add_attachment(
            base64.b64decode(item["data"]), maintype=maintype, subtype=subtype, filename=item["filename"]
        )
    host = str(config.get_value("mail.host"))
    port = int(config.get_value("mail.port"))
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if config.get_value("mail.starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get_value("mail.username"):
            smtp.login(str(config.get_value("mail.username")), str(config.get_value("mail.password")))
        smtp.send_message(message)
