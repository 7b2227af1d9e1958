"""Our exceptions for model calls: every provider failure comes out as one of these, with a message a user can act on.

`retryable` says whether `interviewer.llm` retries the call (rate limits, timeouts, 5xx, dropped connections);
bad keys, bad settings and bad requests are never retried.
"""

from __future__ import annotations


class LLMError(Exception):
    """Base class: `str(err)` is a message fit to show a user."""

    retryable = False


class ConfigurationError(LLMError):
    """Missing key, unknown model, bad settings: fix the configuration."""


class AuthenticationError(LLMError):
    """The provider refused the credentials (401/403)."""


class ConnectionFailed(LLMError):
    """The server could not be reached (refused, DNS, dropped)."""

    retryable = True


class RateLimited(LLMError):
    """429 from the provider; `retry_after` holds the server's hint in seconds when it sent one."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TimedOut(LLMError):
    """No answer within the request timeout."""

    retryable = True


class ProviderError(LLMError):
    """5xx or another failure on the provider's side."""

    retryable = True


class BadResponse(LLMError):
    """The model answered, but not with what was asked (malformed, truncated, failed validation)."""


class StreamInterrupted(LLMError):
    """A streamed reply stopped after some text had already been shown."""


RETRYABLE: tuple[type[LLMError], ...] = (RateLimited, TimedOut, ProviderError, ConnectionFailed)
"""What `interviewer.llm` retries with backoff (the classes above with `retryable = True`)."""
