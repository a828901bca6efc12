"""The seed: a YAML file of companies, targets and stakes (data/seed_companies.yaml)."""

from pathlib import Path
from typing import TYPE_CHECKING

from ecoport.errors import InvalidInput

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.services.importing import ImportSummary


def bundled_seed() -> Path:
    """The seed file shipped with ecoport."""
    return Path(__file__).resolve().parent.parent / "data" / "seed_companies.yaml"


def load_seed(*, session: "Session", path: Path) -> "ImportSummary":
    """Load companies, aliases, targets and stakes; what is already stored is left alone.

    Every problem in the file is reported at once (``file:line: field: reason``) and
    nothing is written when there is any. Every company a stake names must be listed.
    """
    from ecoport.services.importing import ImportOptions, import_source
    from ecoport.services.sources import FileFormat, Mapping, open_source

    source = open_source(path, Mapping(), format=FileFormat.yaml)
    if not source.companies:
        raise InvalidInput("expected a mapping with 'companies' and 'stakes'", where=str(path))
    return import_source(session=session, source=source, options=ImportOptions(listed_only=True))
