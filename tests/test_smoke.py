"""The app starts on both engines, serves the login page in Polish and lets a customer in."""

from __future__ import annotations

from tests.helpers import login, make_customer


def test_login_page_in_polish(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Zaloguj" in response.get_data(as_text=True)


def test_customer_logs_in_and_sees_dashboard(client):
    make_customer("ala@example.test")
    response = login(client, "ala@example.test")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    page = client.get("/").get_data(as_text=True)
    assert "Ala" in page
