"""One exception hierarchy for everything that can go wrong between us and the API.

Each class is an outcome a person must tell apart; each message is a sentence that person can act on and
never contains the API key or call content.
"""

from __future__ import annotations

from dataclasses import dataclass


class CareCycleError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInputError(CareCycleError, ValueError):
    """Caught before any request: a malformed customer ID, an unsafe base URL, a bad option."""


@dataclass(frozen=True)
class FieldError:
    """One entry of a 422 body's `errors[]`."""

    path: tuple[str, ...]
    message: str
    expected: str | None = None
    received: str | None = None
    code: str | None = None

    def describe(self) -> str:
        where = ".".join(self.path) or "request"
        return f"{where}: {self.message}"


class ApiError(CareCycleError):
    """The API answered with an error status."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class BadRequestError(ApiError):
    """400: the API could not read the request."""


class ValidationError(ApiError):
    """422 VALIDATION_ERROR: the API rejected one or more fields."""

    def __init__(self, message: str, *, status: int, code: str | None, field_errors: list[FieldError]) -> None:
        super().__init__(message, status=status, code=code)
        self.field_errors = field_errors


class AuthenticationError(ApiError):
    """401: the key is missing, unknown or revoked."""


class PermissionDeniedError(ApiError):
    """403: the key may not see this customer."""


class NotFoundError(ApiError):
    """404: no such customer."""


class RateLimitedError(ApiError):
    """429 after every retry: the caller should wait `retry_after` seconds."""

    def __init__(self, message: str, *, status: int, code: str | None, retry_after: float | None) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx after every retry: the API is down or failing."""


class NetworkError(CareCycleError):
    """The API could not be reached, the connection dropped, or it did not answer in time."""


class RequestTimeoutError(NetworkError):
    """One request did not end within its whole-request deadline (connect to last byte); it may be retried."""


class LoadTimeoutError(NetworkError):
    """The whole load ran past its own deadline; never retried, the message names what was slow."""


class LoadCancelledError(CareCycleError):
    """The caller cancelled the load (nobody waits for it any more); its requests were stopped."""


class ResponseTooLargeError(CareCycleError):
    """A body past the size limit, declared, received or decoded; never retried (it would be as large again)."""


class UnreadableResponseError(CareCycleError):
    """The API answered 200 with a body that is not the documented JSON shape."""


class InconsistentDataError(CareCycleError):
    """Paging could not produce every call exactly once, even after repair."""
