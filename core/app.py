"""The app factory: a chain of small ``configure_*`` steps, several of them hook calls."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import flask_babel
from flask import Flask, abort, send_file, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from core import db, i18n, i18n_domains, outbox, runtime
from core.config import Config, app_secret_key, load_config, trusted_proxies
from core.template_domains import DOMAIN_GETTEXT, FlaskEnvironment, domain_gettext, plugin_template_domains
from core.themes import find_static, template_loader
from core.web import access, errors, input_guard, templating
from core.web.sessions import ServerSessionInterface
from core.web.uploads import MemoryUploadRequest

csrf = CSRFProtect()


def configure_flask(app: Flask, config: Config) -> None:
    """Secrets, sessions, cookie flags, upload limits."""
    app.config.update(
        SECRET_KEY=app_secret_key(config),
        HOOKBILL=config,
        SESSION_COOKIE_SECURE=bool(config.get_value("app.secure_cookies")),
        MAX_CONTENT_LENGTH=int(config.get("tickets", {}).get("max_request_bytes", 32 * 1024 * 1024)),
        WTF_CSRF_TIME_LIMIT=None,
        TEMPLATES_AUTO_RELOAD=not config.production,
    )
    app.session_interface = ServerSessionInterface()


def configure_proxies(app: Flask, config: Config) -> None:
    """Behind ``app.trusted_proxies`` reverse proxies, take the client's address and scheme from them.

    Werkzeug's ProxyFix reads the last ``n`` entries of ``X-Forwarded-For`` (each
    trusted proxy appends the address it saw) and of ``X-Forwarded-Proto``, so a
    value the client wrote itself, further left, is never taken. The host is
    the ``Host`` header the proxy passes on (nginx: ``proxy_set_header Host
    $host``). With 0 (the default) the headers are ignored and the address is
    the socket's: anyone could write them when nothing in front sets them.
    """
    count = trusted_proxies(config)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]


class _LookupDomain(flask_babel.Domain):
    """Flask-Babel's default domain, answering from the runtime's catalogs (core first, then plugins)."""

    def get_translations(self) -> Any:
        return i18n_domains.lookup(i18n_domains.current_language())


class _Babel(Babel):
    """Flask-Babel, with :class:`_LookupDomain` for ``gettext``, ``_l`` and the templates' ``_``."""

    @property
    def domain_instance(self) -> flask_babel.Domain:
        return _LookupDomain()


def configure_i18n(app: Flask, config: Config, rt: runtime.Runtime) -> None:
    """Flask-Babel over the core's and the plugins' gettext domains (:mod:`core.i18n_domains`).

    Catalogs are read, never compiled, here: an installed package carries its
    ``.mo`` files, a checkout compiles them with ``make catalogs``.
    """
    dirs = i18n.catalog_dirs()
    languages = list(config.get_value("app.languages"))

    def select_locale() -> str:
        # The visitor's choice (language switch, or the customer's profile at
        # login), else the provider's language: a Polish provider's panel opens
        # in Polish whatever the browser's Accept-Language says.
        lang = session.get("lang")
        if lang in languages:
            return str(lang)
        return str(config.get_value("app.language"))

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in dirs)
    app.config["BABEL_DEFAULT_TIMEZONE"] = str(config.get_value("app.timezone"))
    _Babel(app, locale_selector=select_locale, default_locale=str(config.get_value("app.language")))


def configure_templates(app: Flask, config: Config, rt: runtime.Runtime) -> None:
    """Theme lookup chain, plugin templates in their gettext domains, and template helpers."""
    app.jinja_loader = template_loader(config, rt.pm)
    env = app.jinja_env
    assert isinstance(env, FlaskEnvironment)
    env.template_domains = plugin_template_domains(rt.pm)
    env.globals[DOMAIN_GETTEXT] = domain_gettext(
        lambda domain: i18n_domains.lookup(i18n_domains.current_language()).chain(domain)
    )
    templating.install(app)


def configure_static(app: Flask, config: Config, rt: runtime.Runtime) -> None:
    """Serve the theme's static files (and plugins') from ``/static``; no CDN."""

    def static(filename: str) -> Response:
        path = find_static(config, rt.pm, filename)
        if path is None:
            abort(404)
        return send_file(path, max_age=3600)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)


def configure_blueprints(app: Flask, config: Config, rt: runtime.Runtime) -> None:
    """Blueprints from every plugin (the core's own come from ``core.builtin``)."""
    for group in rt.pm.hook.hookbill_blueprints(config=config):
        for blueprint in group:
            app.register_blueprint(blueprint)


def configure_requests(app: Flask, config: Config) -> None:
    """Per-request account loading, security headers, and the after-request outbox kick."""
    app.before_request(access.load_account)
    kick = bool(config.get_value("outbox.process_after_request"))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        if outbox.take_queued_flag() and kick:
            response.call_on_close(_process_outbox_soon)
        return response

    @app.teardown_appcontext
    def _close_db(_exc: BaseException | None) -> None:
        database = db.database.obj
        if database is not None and not database.is_closed():
            database.close()


def _process_outbox_soon() -> None:
    def work() -> None:
        try:
            with db.connection():
                outbox.process(limit=20)
        except Exception:
            runtime.log.exception("outbox kick failed")

    threading.Thread(target=work, name="outbox-kick", daemon=True).start()


def create_app(config: Config | dict[str, Any] | None = None, plugins: Iterable[Any] = ()) -> Flask:
    """Build the hookbill Flask app.

    ``config`` is a :class:`Config`, a dict of overrides on top of the loaded
    configuration, or None (load from file and environment). ``plugins`` are
    plugin objects registered after the configured ones (tests). Raises
    :class:`core.config.ConfigError` or :class:`core.plugins.PluginError` with a
    message naming the key or plugin at fault.
    """
    if not isinstance(config, Config):
        config = load_config(overrides=config)
    rt = runtime.setup(config, plugins)
    app = Flask("hookbill", static_folder=None, template_folder=None)
    app.jinja_environment = FlaskEnvironment  # plugin templates translate in their own domain
    app.request_class = MemoryUploadRequest  # uploads never spool to a temp file
    configure_flask(app, config)
    configure_proxies(app, config)
    configure_i18n(app, config, rt)
    configure_templates(app, config, rt)
    input_guard.install_converters(app)
    configure_static(app, config, rt)
    input_guard.install(app)  # before CSRF: hostile input reaches nothing
    csrf.init_app(app)
    configure_blueprints(app, config, rt)
    configure_requests(app, config)
    errors.install(app)
    return app
