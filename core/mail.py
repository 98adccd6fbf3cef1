"""E-mail: rendered from the theme's ``mail/`` templates, queued in the outbox, sent by SMTP.

Nothing is sent inside a transaction: :func:`queue_mail` writes an outbox
message in the caller's transaction; :func:`send_queued_mail` (the outbox
handler of kind ``mail``) talks to the SMTP server later.
A mail template's first line is ``Subject: ...``; the rest is the plain-text body.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import jinja2

from core import i18n, labels, outbox, runtime
from core.themes import template_loader


def _environment(lang: str) -> jinja2.Environment:
    rt = runtime.current()
    key = f"mail-environment:{lang}"
    env = rt.cache.get(key)
    if env is None:
        env = jinja2.Environment(
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
        rt.cache[key] = env
    return env


def render_mail(template: str, lang: str, **context: Any) -> tuple[str, str]:
    """Render ``mail/<template>.txt`` in ``lang``; return (subject, body)."""
    config = runtime.config()
    context.setdefault("app_name", config.get_value("app.name"))
    context.setdefault("base_url", str(config.get_value("app.base_url")).rstrip("/"))
    text = _environment(lang).get_template(f"mail/{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a 'Subject:' line")
    return first[len("Subject:") :].strip(), body.lstrip("\n")


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
    message["From"] = config.get_value("mail.sender")
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
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
