"""db check on a terminal: each problem on its own line, the tally on stderr."""

from ecoport.emit import Style, table_for
from ecoport.render import info, write
from ecoport.services.checks import CheckResult, DatabaseStatus
from ecoport.words import plural


@table_for(CheckResult)
def check(result: CheckResult, _style: Style) -> None:
    for problem in result.problems:
        write(problem)
    n = len(result.problems)
    found = plural(n, "problem") if n else "no problems"
    info(f"{result.database}: {plural(result.stakes, 'stake')} checked, {found}")


@table_for(DatabaseStatus)
def status(result: DatabaseStatus, _style: Style) -> None:
    state = {
        "current": "current",
        "behind": f"behind: `ecoport db upgrade` brings it to {result.head}",
        "empty": "no ecoport schema yet: `ecoport db upgrade` creates it",
        "missing": "no database yet: `ecoport init` creates it",
    }[result.state]
    write(f"Database: {result.database} (from {result.origin})")
    write(f"Backend:  {result.backend}")
    write(f"Schema:   revision {result.revision or '-'} ({state})")
