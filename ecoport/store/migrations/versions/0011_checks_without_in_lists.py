"""CHECK constraints that allow a list of values written as comparisons joined by OR, not as
IN lists: SQLite builds the list of an IN afresh each time a statement runs, about 3.5 µs
for every row a bulk insert writes (a million stakes and their rounds: several seconds).
The same rows are allowed before and after.

On SQLite the constraint's text is changed in place, as SQLite documents for a constraint
that every stored row already meets (PRAGMA writable_schema, then a new schema_version): no
table is copied. A database whose text is not the one these migrations wrote, or a build of
SQLite that refuses writable_schema, keeps its IN lists (only slower). On PostgreSQL each
constraint is dropped and made again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRECISIONS = ("year", "month", "day")
#: (table, constraint): (column, allowed values)
CHECKS = {
    ("stake", "ck_stake_kind"): (
        "kind",
        ("investment", "acquisition", "holding", "sale", "exit", "write-off"),
    ),
    ("stake", "ck_stake_precision"): ("date_precision", _PRECISIONS),
    ("funding_round", "ck_round_precision"): ("date_precision", _PRECISIONS),
    ("mark", "ck_mark_kind"): ("kind", ("valuation", "price", "write-down", "write-off")),
    ("mark", "ck_mark_precision"): ("date_precision", _PRECISIONS),
}


#: how a constraint allows one of the values of a column
Form = Callable[[str, tuple[str, ...]], str]


def in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def or_chain(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _rewrite(old: Form, new: Form) -> None:
    """Each constraint of CHECKS from its *old* form to its *new* one."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for (table, name), (column, values) in CHECKS.items():
            op.drop_constraint(name, table, type_="check")
            op.create_check_constraint(name, table, new(column, values))
        return
    tables = sorted({table for table, _name in CHECKS})
    rows = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN "
        f"({', '.join('?' * len(tables))})",
        tuple(tables),
    )
    texts: dict[str, str] = {row.name: row.sql for row in rows}
    changed: dict[str, str] = {}
    for (table, name), (column, values) in CHECKS.items():
        before = f"CONSTRAINT {name} CHECK ({old(column, values)})"
        after = f"CONSTRAINT {name} CHECK ({new(column, values)})"
        text = changed.get(table, texts[table])
        if text.count(before) == 1:
            changed[table] = text.replace(before, after)
    if not changed:
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    written = 0
    try:
        for table, text in changed.items():
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (text, table),
            )
            written += 1
    except sa.exc.OperationalError:
        if written:
            raise
        # a build of SQLite that refuses writable_schema: the IN lists stay
    finally:
        if written:
            bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _rewrite(in_list, or_chain)


def downgrade() -> None:
    _rewrite(or_chain, in_list)
