"""names keyed by lower case, not Unicode case folding: ``Straße`` and ``STRASSE`` are two
names (casefold made them one); the match key folds compatibility forms (``ﬁ`` = ``fi``)
but not ``ß``. Recomputes company.name_key, company_alias.alias_key and both match keys
where they change. On PostgreSQL, every text column left in the database's collation takes
"C" (byte order, as SQLite sorts), so any sort on them gives the same answer on both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from ecoport.core.names import match_key

    bind = op.get_bind()
    for table, name_column, key_column in (
        ("company", "name", "name_key"),
        ("company_alias", "alias", "alias_key"),
    ):
        rows = bind.execute(
            sa.text(f"SELECT id, {name_column}, {key_column}, match_key FROM {table}")
        ).fetchall()
        # the stored names are already trimmed and in NFC: lower() is the new key
        changed = [
            {"id": row_id, "k": name.lower(), "m": match_key(name)}
            for row_id, name, key, match in rows
            if (key, match) != (name.lower(), match_key(name))
        ]
        if changed:
            bind.execute(
                sa.text(f"UPDATE {table} SET {key_column} = :k, match_key = :m WHERE id = :id"),
                changed,
            )

    if bind.dialect.name == "postgresql":
        # every text column sorts byte by byte, as on SQLite (0004 and 0005 did the sorted ones)
        columns = bind.execute(
            sa.text(
                "SELECT table_name, column_name, data_type, character_maximum_length FROM "
                "information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name <> 'alembic_version' "
                "AND data_type IN ('character varying', 'text') "
                "AND coalesce(collation_name, '') <> 'C' ORDER BY table_name, column_name"
            )
        ).fetchall()
        for table, column, data_type, length in columns:
            kind = "TEXT" if data_type == "text" else "VARCHAR" + (f"({length})" if length else "")
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {kind} COLLATE "C"')


def downgrade() -> None:
    raise NotImplementedError("ecoport does not downgrade; restore a backup instead")
