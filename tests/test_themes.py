"""Themes override single templates and static files, and can extend the default's."""

from __future__ import annotations

from pathlib import Path

import pytest

THEME = Path(__file__).parent / "theme_samples" / "brand"


@pytest.fixture
def app_overrides():
    return {"theme": {"folder": str(THEME)}}


def test_theme_extends_a_default_template_and_keeps_the_rest(sqlite_app):
    client = sqlite_app.test_client()
    login = client.get("/login").get_data(as_text=True)
    assert "Witamy w Hostowni Przykładowej" in login  # the theme's addition
    assert 'name="password"' in login  # ...on top of the default page
    register = client.get("/register").get_data(as_text=True)
    assert "Załóż konto" in register and "Witamy" not in register  # not overridden: default


def test_theme_overrides_a_static_file(sqlite_app):
    client = sqlite_app.test_client()
    with client.get("/static/css/hookbill.css") as css:
        assert css.status_code == 200 and b"--primary: #7a1f5c" in css.data
    with client.get("/static/img/logo.svg") as logo:  # falls back to the default theme
        assert logo.status_code == 200
    assert client.get("/static/../../core/config.py").status_code == 404
