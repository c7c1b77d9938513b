"""Masking personal data: a corpus that must be masked, a corpus that must stay, both engines alike."""

from __future__ import annotations

import pandas as pd
import pytest

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.masking import (
    MASKED_TEXT_FIELDS,
    MaskedCalls,
    luhn_valid,
    mask_caller,
    mask_callers,
    mask_frame,
    mask_text,
    mask_texts,
)
from tests.factories import make_call

# (text, the personal value in it, the label it must become)
MUST_MASK: list[tuple[str, str, str]] = [
    ("555-867-5309", "867-5309", "[phone]"),
    ("(555) 867 5309", "867 5309", "[phone]"),
    ("(555) 867-5309", "867-5309", "[phone]"),
    ("(555)867-5309", "867-5309", "[phone]"),
    ("+1 555 867 5309", "867 5309", "[phone]"),
    ("+1-555-867-5309", "867-5309", "[phone]"),
    ("+1 (555) 867-5309", "867-5309", "[phone]"),
    ("1-800-555-0199", "555-0199", "[phone]"),
    ("555.867.5309", "867.5309", "[phone]"),
    ("5558675309", "5558675309", "[phone]"),
    ("+15558675309", "5558675309", "[phone]"),
    ("+44 20 7946 0958", "7946 0958", "[phone]"),
    ("Call me back at 555-867-5309, thanks.", "867-5309", "[phone]"),
    ("User: my number is (312) 555-0142.", "555-0142", "[phone]"),
    ("Please call us back at (555) 016-3300 at your convenience.", "016-3300", "[phone]"),
    ("the extension is 867-5309", "867-5309", "[phone]"),
    ("jane.doe@example.com", "jane.doe@example.com", "[email]"),
    ("Email me at JANE.DOE+care@Example.org please", "JANE.DOE+care@Example.org", "[email]"),
    ("j_o'hara@mail.example.co.uk", "mail.example.co.uk", "[email]"),
    ("send it to bob@clinic-north.example.", "bob@clinic-north.example", "[email]"),
    ("123-45-6789", "123-45-6789", "[ssn]"),
    ("My social is 123 45 6789.", "123 45 6789", "[ssn]"),
    ("SSN: 123456789", "123456789", "[ssn]"),
    ("social security number 078051120", "078051120", "[ssn]"),
    ("ssn is 219-09-9999 ok", "219-09-9999", "[ssn]"),
    ("DOB 04/12/1956", "04/12/1956", "[dob]"),
    ("DOB: 4/12/56", "4/12/56", "[dob]"),
    ("D.O.B. 1956-04-12", "1956-04-12", "[dob]"),
    ("born April 12, 1956", "April 12, 1956", "[dob]"),
    ("I was born on 12 April 1956.", "12 April 1956", "[dob]"),
    ("I was born on the 12th of April, 1956", "12th of April, 1956", "[dob]"),
    ("Date of birth: Apr. 12th 1956", "Apr. 12th 1956", "[dob]"),
    ("date of birth?\nUser: March 4, 1956.", "March 4, 1956", "[dob]"),
    ("Birthdate 12.04.1956", "12.04.1956", "[dob]"),
    ("My birthday is Sept 3, 1949", "Sept 3, 1949", "[dob]"),
    ("04/12/1956 is my date of birth", "04/12/1956", "[dob]"),
    ("1EG4-TE5-MK73", "1EG4-TE5-MK73", "[medicare]"),
    ("1EG4TE5MK73", "1EG4TE5MK73", "[medicare]"),
    ("My Medicare number is 1eg4-te5-mk73.", "1eg4-te5-mk73", "[medicare]"),
    ("MBI 9AA0 C00 AA00 on file", "9AA0 C00 AA00", "[medicare]"),
    ("4111 1111 1111 1111", "4111 1111 1111 1111", "[card]"),
    ("4111-1111-1111-1111", "4111-1111-1111-1111", "[card]"),
    ("4111111111111111", "4111111111111111", "[card]"),
    ("card 5500 0000 0000 0004 exp 12/27", "5500 0000 0000 0004", "[card]"),
    ("amex 3782 822463 10005", "3782 822463 10005", "[card]"),
    ("visa 4012888888881881.", "4012888888881881", "[card]"),
    ("discover 6011-1111-1111-1117", "6011-1111-1111-1117", "[card]"),
    ("My name is Jane Doe.", "Jane Doe", "[name]"),
    ("Yes, this is Maria.", "Maria", "[name]"),
    ("Hi, I'm Robert Okafor, calling about my bill", "Robert Okafor", "[name]"),
    ("I am Dr. Naomi Brooks", "Naomi Brooks", "[name]"),
    ("AI: Hello\nUser: this is Ann-Marie O'Neil speaking", "Ann-Marie", "[name]"),
    ("May I speak with Walter Lopez?", "Walter Lopez", "[name]"),
    ("Hi, this message is for Grace Dubois.", "Grace Dubois", "[name]"),
    ("AI: Can I have your full name?\nUser: Nancy Murphy.", "Nancy Murphy", "[name]"),
    ("The AI called Dmitri Cohen about scheduling a visit.", "Dmitri Cohen", "[name]"),
    ("The AI reached Grace Dubois's voicemail.", "Grace Dubois", "[name]"),
    ("Maria Lopez called Riverside Family Medicine.", "Maria Lopez", "[name]"),
]

MUST_STAY: list[str] = [
    "The appointment is on Tuesday, December 1 at 10:30 AM.",
    "We have openings on April 12, 2026 at 2:15 PM.",
    "Your appointment on 12/01/2026 is confirmed.",
    "The call lasted 4:05.",
    "Talk time 1:02:33 in total.",
    "That will be $1,250.00 after your deductible.",
    "Your copay is $35 and the deductible is $2,500.",
    "13f8bf6d-dc27-4a04-bffe-6e5b13c19ddf",
    "497f6eca-6276-4993-bfeb-53cbbbba6f08",
    "CA0123456789abcdef0123456789abcdef",
    "rec-12345",
    "Take 2 pills twice a day for 10 days.",
    "I have 3 kids and 2 grandchildren.",
    "Room 204, third floor.",
    "It's about 15 minutes from the 101.",
    "The last four digits of your member ID are 4 7 1 2.",
    "Call 3 of 12 in this campaign.",
    "Between 8 AM and 6 PM Eastern, Monday through Friday.",
    "Your claim was filed in 2025.",
    "I'm sorry to hear that.",
    "This is the care team.",
    "Hi, this is about your appointment.",
    "85%",
    "8/10",
    "The score was 7.5 out of 10.",
    "Page 12 of 40",
    "Zip code 60614.",
    "Wait, the 14th?",
    "We decide within five business days.",
    "Version 2.4.1 of the app",
    "Order 2024-11 shipped.",
    '=HYPERLINK("http://evil.example")',
    "@mention someone",
    "<script>alert('xss')</script>",
    "Paciente José Ñúñez confirmó la cita 👍",
    "Temperature 98.6, blood pressure 120/80.",
    "Appointment Scheduled",
    "Thank you for calling Riverside Family Medicine. This is Riverside Family Medicine calling.",
    "The AI called the patient back.",
]


@pytest.mark.parametrize(("text", "value", "label"), MUST_MASK)
def test_personal_data_is_replaced_by_its_label(text: str, value: str, label: str) -> None:
    masked = mask_text(text)
    assert value not in masked
    assert label in masked


@pytest.mark.parametrize("text", MUST_STAY)
def test_ordinary_text_stays_as_it_was(text: str) -> None:
    assert mask_text(text) == text


def test_the_corpus_is_large_enough() -> None:
    assert len(MUST_MASK) >= 50
    assert len(MUST_STAY) >= 30


def test_a_whole_column_is_masked_exactly_as_each_value_alone() -> None:
    texts = [text for text, _, _ in MUST_MASK] + MUST_STAY + [None, ""]
    column = pd.Series(texts, dtype="str", index=pd.RangeIndex(10, 10 + len(texts)))
    masked = mask_texts(column)
    assert list(masked.index) == list(column.index)
    expected = [None if text is None else mask_text(text) for text in texts]
    assert [None if pd.isna(value) else value for value in masked] == expected


def test_a_caller_id_shows_only_its_last_four_digits() -> None:
    assert mask_caller("+15555553333") == "•••-•••-3333"
    assert mask_caller("(555) 867-5309") == "•••-•••-5309"
    assert mask_caller("<svg onload=alert(1)>") == "•••"
    assert mask_caller(None) is None
    column = pd.Series(["+15555553333", "555 867 5309", "12", None, "  "], dtype="str")
    assert list(mask_callers(column).fillna("<NA>")) == ["•••-•••-3333", "•••-•••-5309", "•••", "<NA>", "  "]


def test_a_possessive_keeps_its_s() -> None:
    assert mask_text("The AI reached Grace Dubois's voicemail.") == "The AI reached [name]'s voicemail."


def test_luhn_tells_a_card_number_from_a_random_run_of_digits() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert mask_text("4111 1111 1111 1112") == "4111 1111 1111 1112"


def test_a_masked_frame_and_its_raw_calls_hold_no_personal_value() -> None:
    calls = [
        make_call(
            callerId="+15558675309",
            summary="Jane (jane.doe@example.com) gave SSN 123-45-6789.",
            transcript="AI: Your date of birth?\nUser: April 12, 1956. My card is 4111 1111 1111 1111.",
            sourceName="list from 555-867-5309",
            extra={"note": "MBI 1EG4-TE5-MK73"},
        ),
        make_call(callerId=None, summary=None, transcript=None),
    ]
    frame = build_frame(calls)
    masked = mask_frame(frame)
    raw = MaskedCalls(calls, masked.df)
    text = repr(masked.df.to_dict()) + repr([raw[i] for i in range(len(raw))])
    for value in ("8675309", "867-5309", "jane.doe", "123-45-6789", "April 12, 1956", "4111", "1EG4"):
        assert value not in text
    assert raw[0]["callerId"] == "•••-•••-5309"
    assert raw[0]["recordingUrl"] is None and raw[0]["mainRecordingUrl"] is None
    assert raw[0]["id"] == calls[0]["id"] and raw[0]["durationMs"] == calls[0]["durationMs"]
    assert raw[1]["summary"] is None and raw[1]["callerId"] is None
    assert list(masked.df["hasRecording"]) == list(frame.df["hasRecording"])
    assert "summary" in MASKED_TEXT_FIELDS and "id" not in MASKED_TEXT_FIELDS
    assert raw.take([1, 0]) == [raw[1], raw[0]]


def test_repeated_short_values_are_masked_once_each_and_spread_back_in_order() -> None:
    values = ["call 555-867-5309", "Qualified", None, "jane.doe@example.com"] * 50
    masked = mask_texts(pd.Series(values, dtype="str"))
    assert [None if pd.isna(v) else v for v in masked] == [None if v is None else mask_text(v) for v in values]


def test_a_long_column_masked_in_slices_keeps_every_row_in_its_place() -> None:
    values = [f"Row {i}: reach me at 555-867-{i % 10_000:04d} about the appointment on Tuesday." for i in range(25_000)]
    masked = mask_texts(pd.Series(values, dtype="str"))
    assert list(masked) == [f"Row {i}: reach me at [phone] about the appointment on Tuesday." for i in range(25_000)]
