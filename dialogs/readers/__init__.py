"""Readers of the victim's free answers: money, times, yes/no, choices, documents.

All are pure functions of the text (and of `now` for times), bounded to the first
`MAX_CHARS` characters of a message, and never raise on any string.
"""

from dialogs.readers._text import MAX_CHARS
from dialogs.readers.choices import Option, read_choice
from dialogs.readers.documents import read_documents
from dialogs.readers.money import AmountReading, MoneyReading, read_amount, read_money
from dialogs.readers.numbers import parse_number, read_number
from dialogs.readers.synonyms import (
    ACCOUNT_SYNONYMS,
    DOCUMENT_SYNONYMS,
    KIND_OUTRANKS,
    KIND_SYNONYMS,
    account_options,
    document_options,
    kind_options,
)
from dialogs.readers.times import (
    DateReading,
    PartOfDay,
    TimeReading,
    read_date,
    read_date_reading,
    read_datetime,
)
from dialogs.readers.yesno import (
    UNSURE,
    read_answer,
    read_bool,
    read_frozen,
    read_period_default,
    read_reported,
    read_still_going_on,
)

__all__ = [
    "ACCOUNT_SYNONYMS",
    "DOCUMENT_SYNONYMS",
    "KIND_OUTRANKS",
    "KIND_SYNONYMS",
    "MAX_CHARS",
    "UNSURE",
    "AmountReading",
    "DateReading",
    "MoneyReading",
    "Option",
    "PartOfDay",
    "TimeReading",
    "account_options",
    "document_options",
    "kind_options",
    "parse_number",
    "read_amount",
    "read_answer",
    "read_bool",
    "read_choice",
    "read_date",
    "read_date_reading",
    "read_datetime",
    "read_documents",
    "read_frozen",
    "read_money",
    "read_number",
    "read_period_default",
    "read_reported",
    "read_still_going_on",
]
