"""milestones an investor reported toward its target ("about 25 connected-device companies by
2014-12"), and targets per sector ("50 in iot")

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("date_precision", sa.String(length=5), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint("reported > 0", name="ck_milestone_reported"),
        sa.CheckConstraint(
            "date_precision = 'year' OR date_precision = 'month' OR date_precision = 'day'",
            name="ck_milestone_precision",
        ),
        sa.ForeignKeyConstraint(["investor_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "investor_id", "date", "date_precision", "what", name="uq_milestone_investor_date"
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sector_target",
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=200), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.CheckConstraint("target > 0", name="ck_sector_target_positive"),
        sa.ForeignKeyConstraint(["investor_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("investor_id", "sector"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # every text column sorts byte by byte, as on SQLite (see 0007)
        for table, column, kind in (
            ("milestone", "date", "VARCHAR(10)"),
            ("milestone", "date_precision", "VARCHAR(5)"),
            ("milestone", "what", "VARCHAR(200)"),
            ("milestone", "source", "VARCHAR"),
            ("milestone", "note", "VARCHAR"),
            ("sector_target", "sector", "VARCHAR(200)"),
        ):
            op.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE {kind} COLLATE "C"')


def downgrade() -> None:
    raise NotImplementedError("ecoport does not downgrade; restore a backup instead")
