"""hookbill-hello's own tests, on hookbill's testing kit: its fixtures come with hookbill."""

from __future__ import annotations

from core.testing.factories import PASSWORD

from hookbill_hello.models import Note


def test_the_footer_greets_in_the_visitors_language(hookbill_client):
    assert "Pozdrowienia od hookbill-hello!" in hookbill_client.get("/login").get_data(as_text=True)
    hookbill_client.language("en")
    assert "Hello from hookbill-hello!" in hookbill_client.get("/login").get_data(as_text=True)


def test_the_newest_stored_note_replaces_the_greeting(hookbill_client, hookbill_db):
    Note.create(text="Przerwa techniczna w nocy z soboty na niedzielę.")
    page = hookbill_client.get("/login").get_data(as_text=True)
    assert "Przerwa techniczna w nocy z soboty na niedzielę." in page
    assert "Pozdrowienia od hookbill-hello!" not in page


def test_an_admin_turns_the_note_off(hookbill_client, hookbill_make):
    admin = hookbill_make.staff(role="admin")
    hookbill_client.staff_login(admin.email, PASSWORD)
    settings = hookbill_client.get("/admin/settings/").get_data(as_text=True)
    assert "Pokazuj notkę hookbill-hello w stopce" in settings
    # A check box left unticked is a setting turned off.
    response = hookbill_client.post_form("/admin/settings/plugins", {}, form_page="/admin/settings/")
    assert response.status_code == 302
    assert "hookbill-hello" not in hookbill_client.get("/login").get_data(as_text=True)


def test_hookbill_lists_the_plugin_and_its_command(hookbill_cli):
    assert "hello  1.2.0  [entrypoint]" in hookbill_cli("plugins").output
    assert hookbill_cli("hello").output == "hello from hookbill-hello\n"


def test_the_dashboard_counts_the_customers_logins(hookbill_make, hookbill_client):
    customer = hookbill_make.customer("ala@example.test")
    other = hookbill_make.customer("jan@example.test")
    for _ in range(3):
        hookbill_client.login(customer.email, PASSWORD)
        hookbill_client.post_form("/logout", {}, form_page="/")
    hookbill_client.login(other.email, PASSWORD)
    assert "Zalogowano się 1 raz." in hookbill_client.get("/").get_data(as_text=True)
    hookbill_client.post_form("/logout", {}, form_page="/")
    hookbill_client.login(customer.email, PASSWORD)
    assert "Zalogowano się 4 razy." in hookbill_client.get("/").get_data(as_text=True)
    hookbill_client.language("en", page="/")
    assert "You have logged in 4 times." in hookbill_client.get("/").get_data(as_text=True)


def test_a_staff_login_is_not_counted(hookbill_make, hookbill_client, hookbill_db):
    from hookbill_hello.models import LoginCount

    admin = hookbill_make.staff()
    assert hookbill_client.staff_login(admin.email, PASSWORD).status_code == 302
    assert LoginCount.select().count() == 0
