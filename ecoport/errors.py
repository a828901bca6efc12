"""EcoportError and its subclasses: every failure a user can cause, with its exit code."""


class EcoportError(Exception):
    """A failure to report to the user as one line, never as a traceback."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        field: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        #: The reason, in the domain's words. Below the CLI no command-line flag is spelled
        #: out: an option is named ``{option:force}`` and a command ``{command:fx set}``, and
        #: the CLI spells them (``--force``, `` `ecoport fx set` ``) in one place.
        self.message = message
        #: Where the error is: a place (``file:line``) or a positional argument (``FILE``).
        self.where = where
        #: The field or option it is about, by name (``sector``, ``new_company``).
        self.field = field
        #: Further lines, one per problem, when a file had several (``file:line: reason``).
        self.details = details or []

    def __str__(self) -> str:
        where = self.where or self.field
        return f"{where}: {self.message}" if where else self.message


class InvalidInput(EcoportError):
    """A value given by the user is malformed or out of range (a usage error)."""

    exit_code = 2


class NotFound(EcoportError):
    """Something named by the user does not exist."""


class Conflict(EcoportError):
    """The request contradicts what is stored (a near-duplicate name, a sector change...)."""


class StoreError(EcoportError):
    """The database cannot be opened, created or used."""


class FieldError(InvalidInput):
    """A bad value of one named field of a record (``amount``, ``date``...).

    Raised and collected below the CLI, which maps the field to its option (``--amount``)
    or, in a file, to its column and line."""

    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
