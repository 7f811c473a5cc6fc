"""Error hierarchy. Every error has a stable code (greppable) and a one-line message.

ShelfmindError
  UserError      bad arguments, bad config, bad query: the user can fix it
  DataError      bad input data: names file, row and field
  ProviderError  an LLM / embedder / backend failed (TransientProviderError is retried)
  NotFound       an id, index, model package or artifact that does not exist
  ValidationFailed  an LLM answer failed schema validation (after the re-ask)
"""

from __future__ import annotations


class ShelfmindError(Exception):
    code = "SM000"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class UserError(ShelfmindError):
    code = "SM100"


class ConfigError(UserError):
    code = "SM101"


class DataError(ShelfmindError):
    """Bad input data. Always say where: file, row (1-based, header = row 1 for CSV) and field."""

    code = "SM200"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        super().__init__(f"{message}" + (f" ({where})" if where else ""), hint=hint)
        self.file = file
        self.row = row
        self.field = field


class ProviderError(ShelfmindError):
    code = "SM300"


class TransientProviderError(ProviderError):
    """Timeouts, 429s, 5xx, connection resets: worth retrying with backoff."""

    code = "SM301"


class ValidationFailed(ProviderError):
    """The model's answer did not validate against the requested schema, even after a re-ask."""

    code = "SM302"

    def __init__(self, message: str, *, raw: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.raw = raw


class NotFound(ShelfmindError):
    code = "SM400"


class ModelPackageError(NotFound):
    """A model chunk package is missing or the assembled file has the wrong sha256."""

    code = "SM401"
