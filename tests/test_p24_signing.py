"""Przelewy24's ``sign``, checked against P24's documentation.

P24's REST documentation ("Calculating Sign") gives, for registration and for
verification, the exact JSON text to hash, in its Python example::

    '{"sessionId":"sessionId","merchantId":999999,"amount":1000,"currency":"PLN","crc":"crc"}'
    '{"sessionId":"sessionId","orderId":999999,"amount":1000,"currency":"PLN","crc":"crc"}'

but no resulting hash. So each expected value below is computed here,
independently of the plugin, with ``hashlib.sha384`` over that documented text
(or over the documented field order of the notifications, written out by hand).
"""

from __future__ import annotations

import hashlib

import pytest

from plugins.przelewy24 import signing

DOC_REGISTER = '{"sessionId":"sessionId","merchantId":999999,"amount":1000,"currency":"PLN","crc":"crc"}'
DOC_VERIFY = '{"sessionId":"sessionId","orderId":999999,"amount":1000,"currency":"PLN","crc":"crc"}'


def sha384(text: str) -> str:
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


def test_registration_sign_is_the_documented_example():
    values = {"merchantId": 999999, "sessionId": "sessionId", "currency": "PLN", "amount": 1000}  # any order in
    assert signing.signed_json(signing.REGISTER_FIELDS, values, "crc") == DOC_REGISTER
    assert signing.sign(signing.REGISTER_FIELDS, values, "crc") == sha384(DOC_REGISTER)


def test_verification_sign_is_the_documented_example():
    values = {"sessionId": "sessionId", "orderId": 999999, "amount": 1000, "currency": "PLN"}
    assert signing.sign(signing.VERIFY_FIELDS, values, "crc") == sha384(DOC_VERIFY)


def test_notification_sign_follows_the_documented_order_with_polish_letters_and_slashes():
    values = {
        "merchantId": 246810,
        "posId": 246810,
        "sessionId": "hb-7-abc",
        "amount": 3173,
        "originAmount": 3173,
        "currency": "PLN",
        "orderId": 4294967313,
        "methodId": 154,
        "statement": "p24-ZAŻÓŁĆ/PRO/2026/00001",
    }
    # JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES: "Ż" and "/" as they are
    text = (
        '{"merchantId":246810,"posId":246810,"sessionId":"hb-7-abc","amount":3173,"originAmount":3173,'
        '"currency":"PLN","orderId":4294967313,"methodId":154,"statement":"p24-ZAŻÓŁĆ/PRO/2026/00001",'
        '"crc":"k"}'
    )
    assert signing.sign(signing.NOTIFICATION_FIELDS, values, "k") == sha384(text)
    assert signing.check(signing.NOTIFICATION_FIELDS, {**values, "sign": sha384(text)}, "k")
    assert signing.check(signing.NOTIFICATION_FIELDS, {**values, "sign": sha384(text).upper()}, "k")


def test_refund_notification_sign_follows_the_documented_order():
    values = {
        "orderId": 5,
        "sessionId": "s",
        "refundsUuid": "u",
        "merchantId": 1,
        "amount": 100,
        "currency": "PLN",
        "status": 0,
        "requestId": "not in the sign",
        "timestamp": 1,
    }
    text = (
        '{"orderId":5,"sessionId":"s","refundsUuid":"u","merchantId":1,"amount":100,"currency":"PLN",'
        '"status":0,"crc":"c"}'
    )
    assert signing.sign(signing.REFUND_NOTIFICATION_FIELDS, values, "c") == sha384(text)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "3173"},  # a string where the sign has an integer
        {"amount": True},
        {"sessionId": 7},
        {"sign": None},
        {"sign": "x" * 96},
    ],
)
def test_check_refuses_wrong_types_and_wrong_signs(change):
    values = {"sessionId": "s", "orderId": 1, "amount": 3173, "currency": "PLN"}
    values["sign"] = signing.sign(signing.VERIFY_FIELDS, values, "k")
    assert signing.check(signing.VERIFY_FIELDS, values, "k")
    assert not signing.check(signing.VERIFY_FIELDS, {**values, **change}, "k")
    assert not signing.check(signing.VERIFY_FIELDS, values, "")  # no CRC configured: nothing passes


def test_a_missing_field_is_not_a_valid_sign():
    values = {"sessionId": "s", "amount": 3173, "currency": "PLN", "sign": "0" * 96}
    assert not signing.check(signing.VERIFY_FIELDS, values, "k")
    with pytest.raises(signing.SignError):
        signing.sign(signing.VERIFY_FIELDS, values, "k")
