"""db check on a terminal: each problem on its own line, the tally on stderr."""

from ecoport.emit import Style, table_for
from ecoport.render import info, write
from ecoport.services.checks import CheckResult
from ecoport.words import plural


@table_for(CheckResult)
def check(result: CheckResult, _style: Style) -> None:
    for problem in result.problems:
        write(problem)
    n = len(result.problems)
    found = plural(n, "problem") if n else "no problems"
    info(f"{result.database}: {plural(result.stakes, 'stake')} checked, {found}")
