"""The seed: a YAML file of companies, targets and stakes (data/seed_companies.yaml)."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def parse_yaml(path: Path, text: str) -> Any:
    """Parse YAML text, each mapping carrying its line number under ``__line__``."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[valid-type, misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            mapping = super().construct_mapping(node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping  # type: ignore[no-any-return]

    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InvalidInput(
            f"not valid YAML ({getattr(exc, 'problem', exc)})", where=where
        ) from None
