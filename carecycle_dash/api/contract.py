"""What we know and what we infer about `GET /v2/customers/{id}/calls`, in one place.

Facts come from the vendor's reference page; inferences are marked as such so that each can be corrected
in one line when the real API disagrees (see docs/api-contract.md).
"""

from __future__ import annotations

import re
from typing import Final, Literal

# --- Facts -------------------------------------------------------------------------------------------
DEFAULT_BASE_URL: Final = "https://api.carecycle.ai"
CALLS_PATH: Final = "/v2/customers/{customer_id}/calls"
API_KEY_HEADER: Final = "x-api-key"

CUSTOMER_ID_PATTERN: Final = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"
)

SortField = Literal["createdAt", "disposition", "duration"]
SortOrder = Literal["asc", "desc"]
SORT_FIELDS: Final[tuple[SortField, ...]] = ("createdAt", "disposition", "duration")
SORT_ORDERS: Final[tuple[SortOrder, ...]] = ("asc", "desc")
DEFAULT_SORT_FIELD: Final[SortField] = "createdAt"
DEFAULT_SORT_ORDER: Final[SortOrder] = "desc"
DEFAULT_PAGE: Final = 1
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 100

CALL_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "campaignId",
    "disposition",
    "callerId",
    "twilioSid",
    "service",
    "testFlag",
    "direction",
    "recordingUrl",
    "recordingId",
    "stereoRecordingUrl",
    "assistantType",
    "successEvaluation",
    "summary",
    "transcript",
    "durationMs",
    "createdAt",
    "mainRecordingUrl",
    "isTestNumber",
    "sourceName",
)
BOOLEAN_FIELDS: Final = frozenset({"testFlag", "isTestNumber"})
INTEGER_FIELDS: Final = frozenset({"durationMs"})
URL_FIELDS: Final = ("recordingUrl", "stereoRecordingUrl", "mainRecordingUrl")

# --- Inferences ----------------------------------------------------------------------------------------
# Query parameter names: the reference page lost them.
PARAM_PAGE: Final = "page"
PARAM_LIMIT: Final = "limit"
PARAM_SORT_BY: Final = "sortBy"
PARAM_ORDER: Final = "order"

# Status codes of the error bodies, in the order the page lists them.
STATUS_BAD_REQUEST: Final = 400
STATUS_UNAUTHORIZED: Final = 401
STATUS_FORBIDDEN: Final = 403
STATUS_NOT_FOUND: Final = 404
STATUS_VALIDATION: Final = 422
STATUS_RATE_LIMITED: Final = 429
STATUS_SERVER_ERROR: Final = 500
VALIDATION_ERROR_CODE: Final = "VALIDATION_ERROR"

# `retryAfter` in the 429 body is in seconds.
RETRY_AFTER_UNIT_SECONDS: Final = 1.0

# Dispositions seen in CareCycle's portal; others will appear.
KNOWN_DISPOSITIONS: Final[tuple[str, ...]] = (
    "Qualified",
    "Appointment Scheduled",
    "Identity Verification Succeeded",
    "Identity Verified",
    "Identity Verification Failed",
    "Message Delivered",
    "Transferred",
    "Busy/No Answer",
    "Voicemail",
    "Customer Did Not Answer",
    "No Agents Available",
    "Not Interested",
    "Unqualified",
    "Do Not Call",
    "Do Not Contact",
    "Bad Contact",
    "Pipeline Error",
    "Telephony Block",
    "Disposition Error",
)
# Dispositions that mean the call failed on our side (the pipeline or the line), not the person's answer.
ERROR_DISPOSITIONS: Final = frozenset({"Pipeline Error", "Telephony Block", "Disposition Error"})
# A call is "connected" when a person was reached. These dispositions mean nobody was; an unknown
# disposition counts as connected when the call lasted at least CONNECTED_MIN_SECONDS.
NOT_CONNECTED_DISPOSITIONS: Final = frozenset(
    {
        "Busy/No Answer",
        "Voicemail",
        "Customer Did Not Answer",
        "No Agents Available",
        "Bad Contact",
        "Pipeline Error",
        "Telephony Block",
        "Disposition Error",
    }
)
CONNECTED_MIN_SECONDS: Final = 10.0
# Dispositions that mean the call achieved what it was for: the last stage of the Overview's outcome funnel.
POSITIVE_DISPOSITIONS: Final = frozenset(
    {
        "Appointment Scheduled",
        "Qualified",
        "Transferred",
        "Identity Verified",
        "Identity Verification Succeeded",
        "Message Delivered",
    }
)
# A "conversation": the caller spoke at least this many times (transcript lines of a caller speaker).
CONVERSATION_MIN_CALLER_TURNS: Final = 2

# A call with one of these dispositions is a request never to call that number again; an outbound call to
# the number after it is a breach (shown under "Called after Do Not Call"). Compared case-insensitively.
DO_NOT_CALL_DISPOSITIONS: Final = frozenset({"Do Not Call", "Do Not Contact"})

# `callerId` is the other party's number, in whatever format the source system wrote it. A number of ten
# digits without a country code is read as North American (CareCycle's agencies are in the US).
DEFAULT_COUNTRY_CODE: Final = "1"

# Values no real call can have; the data frame sets them to missing and counts them.
MAX_CALL_DURATION_MS: Final = 24 * 60 * 60 * 1000
EARLIEST_CALL_TIME: Final = "2000-01-01T00:00:00Z"
LATEST_CALL_TIME: Final = "2100-01-01T00:00:00Z"

# successEvaluation: free text. Scores are read on 0..10 (bare numbers up to 10), 0..100 (larger numbers
# or a % sign); a score at or above this share of the scale counts as a success.
SUCCESS_SCORE_THRESHOLD: Final = 0.7
SUCCESS_WORDS: Final = frozenset({"true", "yes", "pass", "passed", "success", "successful", "excellent", "good"})
FAILURE_WORDS: Final = frozenset({"false", "no", "fail", "failed", "failure", "unsuccessful", "poor", "bad"})


def is_valid_customer_id(value: str) -> bool:
    """True when `value` matches the path pattern the API enforces."""
    return bool(CUSTOMER_ID_PATTERN.fullmatch(value))
