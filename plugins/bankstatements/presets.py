"""Starting points for the CSV column mappings of a few Polish banks.

A preset only fills the bank form; the mapping saved with the bank is what
is used, and staff can change any part of it when their bank's export looks
different (banks change their exports now and then, and business and
personal banking differ). Headers are written as the banks print them;
matching ignores case, quotes and a leading ``#``.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # mBank, "Lista operacji" in CSV: a preamble, then ``#Data operacji;...``,
    # amounts like ``1 234,56``, accounts with a leading apostrophe, Windows-1250.
    "mbank": {
        "name": "mBank",
        "encoding": "cp1250",
        "mapping": {
            "delimiter": ";",
            "date_format": "%Y-%m-%d",
            "decimal": ",",
            "currency": "PLN",
            "columns": {
                "date": "#Data księgowania",
                "amount": "#Kwota",
                "title": "#Tytuł",
                "counterparty": "#Nadawca/Odbiorca",
                "account": "#Numer konta",
            },
        },
    },
    # ING Bank Śląski, "Lista transakcji" in CSV: a preamble, quoted headers, a
    # transaction number of its own (``Nr transakcji``), Windows-1250.
    "ing": {
        "name": "ING Bank Śląski",
        "encoding": "cp1250",
        "mapping": {
            "delimiter": ";",
            "date_format": "%Y-%m-%d",
            "decimal": ",",
            "currency": "PLN",
            "columns": {
                "date": "Data księgowania",
                "amount": "Kwota transakcji (waluta rachunku)",
                "currency": "Waluta",
                "title": "Tytuł",
                "counterparty": "Dane kontrahenta",
                "account": "Nr rachunku",
                "reference": "Nr transakcji",
            },
        },
    },
    # Santander Bank Polska, CSV history: one line about the account, then rows
    # without a header (columns by number), dates ``16-03-2026``, UTF-8.
    "santander": {
        "name": "Santander Bank Polska",
        "encoding": "utf-8",
        "mapping": {
            "delimiter": ",",
            "date_format": "%d-%m-%Y",
            "decimal": ",",
            "currency": "PLN",
            "skip_rows": 1,
            "columns": {"date": "2", "title": "3", "counterparty": "4", "account": "5", "amount": "6"},
        },
    },
}
