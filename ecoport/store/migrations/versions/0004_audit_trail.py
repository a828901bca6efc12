"""the audit trail (every change, who made it, each record before and after); on
PostgreSQL, text compares byte by byte as on SQLite, so both sort alike

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Text columns that reports sort or compare by, with their lengths.
TEXT_COLUMNS = {
    "company": {"name": 200, "name_key": 200, "sector": 200},
    "company_alias": {"alias": 200, "alias_key": 200},
    "stake": {"kind": 20, "date": 10, "date_precision": 5, "currency": 3, "round": 100},
    "fx_rate": {"base": 3, "quote": 3, "date": 10},
    "setting": {"key": 50},
}


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["undoes"], ["change.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_at", "change", ["at"])
    op.create_index("ix_change_undoes", "change", ["undoes"])
    op.create_table(
        "change_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_record_change_id", "change_record", ["change_id"])
    op.create_index("ix_change_record_row", "change_record", ["table_name", "row_key"])
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in TEXT_COLUMNS.items():
            for column, length in columns.items():
                op.execute(
                    f'ALTER TABLE {table} ALTER COLUMN "{column}" '
                    f'TYPE VARCHAR({length}) COLLATE "C"'
                )


def downgrade() -> None:
    op.drop_table("change_record")
    op.drop_table("change")
