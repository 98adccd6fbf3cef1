"""Importing statements books each transfer once, where it belongs, and queues what is not certain.

On SQLite and PostgreSQL. The world: Jan Kowalski owes PRO/2026/00001 and
00002 (123.00 each), Żuraw sp. z o.o. owes 00003 (246.00, VAT 46.00),
Żaneta Gęślińska 00004 (61.50) and Anna Wiśniewska 00005 (123.00).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core import db
from core.balance_view import balance_of
from core.billing_data.service import change_billing_data
from core.documents.staff import correct_proforma
from core.models import Document, LedgerEntry, Payment
from core.payments.recording import record_payment
from plugins.bankstatements import queue as staff_queue
from plugins.bankstatements.importing import import_statement
from plugins.bankstatements.models import Bank, StatementEntry
from plugins.bankstatements.numbers import numbers_in
from plugins.bankstatements.presets import PRESETS
from tests.helpers import make_staff
from tests.statement_helpers import booked, statement
from tests.statement_helpers import world as make_world


@pytest.fixture
def world(app, conn):
    return make_world()


def csv_bank(slug: str = "plain", **mapping) -> Bank:
    with db.write_transaction():
        return Bank.create(
            slug=slug,
            name=slug,
            format="csv",
            encoding="utf-8",
            mapping={
                "delimiter": ";",
                "decimal": ",",
                "date_format": "%Y-%m-%d",
                "columns": {
                    "date": "Data",
                    "amount": "Kwota",
                    "title": "Tytuł",
                    "counterparty": "Nadawca",
                    "account": "Rachunek",
                    "reference": "Ref",
                    "currency": "Waluta",
                },
                **mapping,
            },
        )


def csv_file(*rows: tuple[str, ...]) -> bytes:
    head = "Data;Kwota;Tytuł;Nadawca;Rachunek;Ref;Waluta\n"
    return (head + "".join(";".join(row) + "\n" for row in rows)).encode("utf-8")


def summary(record) -> dict[str, tuple[int, D]]:
    keys = ("credits", "matched", "queued", "known", "ignored")
    return {k: (getattr(record, k), getattr(record, f"{k}_sum")) for k in keys}


def test_mt940_statement_books_matches_and_queues(world):
    p1, p2, p3, p4, p5 = world["docs"]
    record = import_statement(statement("zbp_pkobp_cp852.sta"), filename="wyciag.sta")
    assert summary(record) == {
        "credits": (8, D("683.50")),
        "matched": (7, D("560.50")),
        "queued": (1, D("123.00")),
        "known": (0, D("0.00")),
        "ignored": (3, D("1051.00")),  # a fee, the VAT moved out of the split payment, a payout
    }
    assert booked(p1) == ("paid", D("123.00"))  # "PRO/202" + "6/00001": a number cut across two sub-fields
    assert booked(p2) == ("paid", D("123.00"))  # 50 + 30 + 30 + 13 of the last 20.00
    assert booked(p3) == ("paid", D("246.00"))  # split payment, the bank credited the gross amount
    assert booked(p4) == ("paid", D("61.50"))  # no number: amount and payer's name
    assert booked(p5) == ("unpaid", D("0.00"))
    assert balance_of(world["jan"].id) == D("7.00")  # 20.00 - 13.00 due went to the credit balance
    # Two transfers of 30.00 from one payer on one day, same title, no bank reference: both booked.
    thirty = list(Payment.select().where((Payment.amount == D("30.00")) & (Payment.document == p2.id)))
    assert len(thirty) == 2 and len({p.transaction_id for p in thirty}) == 2
    assert all(p.transaction_id.startswith("STMT-") for p in thirty)
    rules = {e.key: e.rule for e in StatementEntry.select()}
    assert rules["PKO2603160006"] == "split_payment" and rules["PKO2603170001"] == "amount_payer"
    queued = StatementEntry.get(StatementEntry.state == "queued")
    assert queued.key == "PKO2603170002" and queued.candidates == [p5.id]
    assert queued.reason == "One document has this amount due, but the payer was not recognised."
    assert Document.select().where(Document.kind == "vat").count() == 4


def test_the_same_file_twice_books_nothing_twice(world):
    first = import_statement(statement("zbp_pkobp_cp852.sta"))
    payments, ledger = Payment.select().count(), LedgerEntry.select().count()
    again = import_statement(statement("zbp_pkobp_cp852.sta"))
    assert summary(again)["known"] == (8, D("683.50")) == summary(first)["credits"]
    assert summary(again)["matched"] == summary(again)["queued"] == (0, D("0.00"))
    assert (Payment.select().count(), LedgerEntry.select().count()) == (payments, ledger)
    assert StatementEntry.select().count() == 8


def test_a_transfer_staff_typed_in_is_recognised(world):
    p1 = world["docs"][0]
    staff = make_staff()
    from core.payments.methods import transaction_key

    # Typed as the bank app shows it: in groups, lower case.
    record_payment("banktransfer", transaction_key("banktransfer", " pko 2603 160001 "), "123.00", p1, staff=staff)
    record = import_statement(statement("zbp_pkobp_cp852.sta"))
    assert summary(record)["known"] == (1, D("123.00"))
    assert Payment.select().where(Payment.document == p1.id).count() == 1
    entry = StatementEntry.get(StatementEntry.key == "PKO2603160001")
    assert (entry.state, entry.rule, entry.document_id) == ("recorded", "staff", p1.id)


def test_a_queued_transfer_typed_in_by_staff_leaves_the_queue(world):
    p5 = world["docs"][4]
    import_statement(statement("zbp_pkobp_cp852.sta"))
    assert StatementEntry.get(StatementEntry.key == "PKO2603170002").state == "queued"
    record_payment("banktransfer", "PKO2603170002", "123.00", p5, staff=make_staff())
    entry = StatementEntry.get(StatementEntry.key == "PKO2603170002")
    assert (entry.state, entry.document_id) == ("recorded", p5.id)
    assert booked(p5) == ("paid", D("123.00"))


def test_camt_001_02_split_payment_credited_net_is_paid_in_full_once(world):
    p1, p2, p3, p4, p5 = world["docs"]
    record = import_statement(statement("camt053_001_02_santander.xml"))
    assert summary(record) == {
        "credits": (4, D("507.50")),
        "matched": (3, D("384.50")),
        "queued": (1, D("123.00")),
        "known": (0, D("0.00")),
        "ignored": (2, D("15.00")),  # the fee and the reversed transfer; the pending entry is not there yet
    }
    # 200.00 arrived here and 46.00 went to the VAT account: the proforma is paid, once, in full.
    assert booked(p3) == ("paid", D("246.00"))
    payment = Payment.get(Payment.document == p3.id)
    assert payment.amount == D("246.00") and payment.details["split_payment_vat"] == "46.00"
    assert StatementEntry.get(StatementEntry.key == "CAMT2026031600002").vat_amount == D("46.00")
    assert booked(p1)[0] == booked(p4)[0] == "paid"
    queued = StatementEntry.get(StatementEntry.state == "queued")
    assert sorted(queued.candidates) == [p2.id, p5.id] and queued.reason == "Several documents have this amount due."
    assert summary(import_statement(statement("camt053_001_02_santander.xml")))["known"] == (4, D("507.50"))
    assert Payment.select().where(Payment.document == p3.id).count() == 1


def test_camt_001_08_two_equal_transfers_without_reference_both_book(world):
    p2, p4 = world["docs"][1], world["docs"][3]
    record = import_statement(statement("camt053_001_08_ing.xml"))
    assert summary(record)["matched"] == (3, D("143.00"))
    assert booked(p2) == ("paid", D("123.00"))
    assert booked(p4) == ("partially_paid", D("20.00"))
    assert summary(import_statement(statement("camt053_001_08_ing.xml")))["known"] == (3, D("143.00"))
    assert booked(p4) == ("partially_paid", D("20.00"))


def test_csv_presets_read_the_banks_exports(world):
    p1, p2, _p3, p4, _p5 = world["docs"]
    banks = {}
    with db.write_transaction():
        for key in ("mbank", "ing", "santander"):
            banks[key] = Bank.create(
                slug=key, name=PRESETS[key]["name"], format="csv", encoding=PRESETS[key]["encoding"],
                mapping=PRESETS[key]["mapping"],
            )  # fmt: skip
    mbank = import_statement(statement("mbank_lista_operacji_1250.csv"), bank=banks["mbank"])
    assert summary(mbank)["matched"] == (3, D("203.00")) and summary(mbank)["queued"] == (1, D("1230.00"))
    assert booked(p1) == ("paid", D("123.00")) and booked(p2) == ("partially_paid", D("80.00"))  # 2 x 40.00
    ing = import_statement(statement("ing_lista_transakcji_1250.csv"), bank=banks["ing"])
    # The first line pays PRO/2026/00001 again (to the balance); the second pays the rest of 00002.
    assert summary(ing)["matched"] == (2, D("146.00"))
    assert booked(p2) == ("partially_paid", D("103.00"))
    assert balance_of(world["jan"].id) == D("123.00")
    santander = import_statement(statement("santander_historia_utf8.csv"), bank=banks["santander"])
    assert summary(santander)["matched"] == (2, D("184.50")) and summary(santander)["ignored"] == (1, D("2.00"))
    assert booked(p4) == ("paid", D("61.50"))
    # CSV lines without a bank reference are keyed by their content: a second export of the same days books nothing.
    assert summary(import_statement(statement("mbank_lista_operacji_1250.csv"), bank=banks["mbank"]))["known"][0] == 4


def test_numbers_spelled_the_way_people_type_them(world):
    assert numbers_in("pro 2026 12") == ["PRO/2026/00012"]
    assert numbers_in("Zapłata PRO-2026-00003, pro2026/4 oraz PRO/2026/0005") == [
        "PRO/2026/00003",
        "PRO/2026/00004",
        "PRO/2026/00005",
    ]
    assert numbers_in("fv 2026 11 1 i FV/2026/11/0002") == ["FV/2026/11/0001", "FV/2026/11/0002"]
    assert numbers_in("PRO/2026/000123 usługi") == []  # a padded number glued to the next word is not a number
    assert numbers_in("PROMOCJA 2026 rabat 12", "REPRO 2026 12") == []


def test_several_numbers_in_one_title_pay_each_in_order(world):
    p1, p2 = world["docs"][:2]
    bank = csv_bank()
    rows = [("2026-03-16", "250,00", "PRO 2026 1 oraz PRO 2026 2", "JAN KOWALSKI", "", "R-1", "PLN")]
    assert import_statement(csv_file(*rows), bank=bank).matched == 1
    assert booked(p1) == ("paid", D("123.00")) and booked(p2) == ("paid", D("123.00"))
    assert balance_of(world["jan"].id) == D("4.00")
    assert {p.transaction_id for p in Payment.select()} == {"R-1", "R-1#2"}


def test_what_is_not_certain_waits_for_staff(world):
    p1, p2, p3, _p4, p5 = world["docs"]
    bank = csv_bank()
    rows = [
        ("2026-03-16", "246,00", "PRO/2026/00001 PRO/2026/00005", "X", "", "Q-1", "PLN"),  # two customers
        ("2026-03-16", "123,00", "PRO/2026/00001", "JAN", "", "Q-2", "EUR"),  # another currency
        ("2026-03-16", "100,00", "/VAT/46,00/IDC/5213017228/INV/PRO/2026/00003/TXT/rata", "ŻURAW", "", "Q-3", "PLN"),
        ("2026-03-16", "123,00", "za hosting", "JAN KOWALSKI", "", "Q-4", "PLN"),  # 00001, 00002 and 00005 fit
        ("2026-03-16", "77,00", "darowizna", "KTOŚ", "", "Q-5", "PLN"),
    ]
    record = import_statement(csv_file(*rows), bank=bank)
    assert summary(record)["queued"] == (5, D("669.00")) and Payment.select().count() == 0
    reasons = {e.key: (e.reason, sorted(e.candidates)) for e in StatementEntry.select()}
    assert reasons == {
        "Q-1": ("The title names documents of different customers.", sorted([p1.id, p5.id])),
        "Q-2": ("The transfer is in another currency than the document.", [p1.id]),
        "Q-3": ("Split payment: the amount and the VAT do not add up to what is due.", [p3.id]),
        "Q-4": ("Several documents have this amount due.", sorted([p1.id, p2.id, p5.id])),
        "Q-5": ("No document number, virtual account or document with this amount due was found.", []),
    }
    assert StatementEntry.get(StatementEntry.key == "Q-3").vat_amount == D("46.00")


def test_a_payer_seen_before_is_recognised_by_account(world):
    p1, p2 = world["docs"][:2]
    bank = csv_bank()
    account = "PL27114020040000300201355387"
    import_statement(csv_file(("2026-03-16", "123,00", "PRO/2026/00001", "J.K.", account, "A-1", "PLN")), bank=bank)
    # Next month: no number, a name the bank shortened, but the account Jan paid from before.
    record = import_statement(csv_file(("2026-04-16", "123,00", "hosting", "J.K.", account, "A-2", "PLN")), bank=bank)
    assert record.matched == 1 and booked(p2) == ("paid", D("123.00"))
    assert StatementEntry.get(StatementEntry.key == "A-2").rule == "amount_payer"
    assert booked(p1) == ("paid", D("123.00"))


def test_a_superseded_proforma_is_paid_in_its_new_version(world):
    p1 = world["docs"][0]
    moved = {"kind": "private", "name": "Jan Kowalski", "address_line1": "ul. Nowa 2", "postcode": "00-950"}
    change_billing_data(world["jan"], {**moved, "city": "Warszawa", "country": "PL"}, actor=world["jan"])
    newer = correct_proforma(p1.id, make_staff())
    import_statement(csv_file(("2026-03-16", "123,00", "PRO/2026/00001", "JAN", "", "S-1", "PLN")), bank=csv_bank())
    assert booked(newer) == ("paid", D("123.00")) and booked(p1) == ("superseded", D("0.00"))


def test_staff_decide_queued_transfers_once(world):
    p3, p5 = world["docs"][2], world["docs"][4]
    staff = make_staff()
    rows = [
        ("2026-03-16", "100,00", "/VAT/46,00/IDC/5213017228/INV/PRO/2026/00003/TXT/x", "Z", "", "D-1", "PLN"),
        ("2026-03-16", "50,00", "doładowanie", "ANNA W", "", "D-2", "PLN"),
        ("2026-03-16", "9,99", "zwrot wadium", "URZĄD", "", "D-3", "PLN"),
    ]
    import_statement(csv_file(*rows), bank=csv_bank())
    entries = {e.key: e for e in StatementEntry.select()}
    staff_queue.assign_to_document(entries["D-1"].id, p3.id, staff, with_vat=True)
    assert booked(p3) == ("partially_paid", D("146.00"))
    staff_queue.assign_to_customer(entries["D-2"].id, world["anna"].id, staff)
    assert balance_of(world["anna"].id) == D("50.00")
    assert LedgerEntry.get(LedgerEntry.customer == world["anna"].id).kind == "topup"
    staff_queue.mark_not_ours(entries["D-3"].id, staff, note="wadium z przetargu")
    states = {e.key: (e.state, e.resolved_by) for e in StatementEntry.select()}
    assert states == {"D-1": ("assigned", staff.id), "D-2": ("assigned", staff.id), "D-3": ("not_ours", staff.id)}
    from core.errors import Conflict

    with pytest.raises(Conflict):
        staff_queue.assign_to_document(entries["D-2"].id, p5.id, staff)
    assert booked(p5) == ("unpaid", D("0.00")) and Payment.select().count() == 2
