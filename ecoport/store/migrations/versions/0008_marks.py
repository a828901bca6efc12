"""marks: dated values of companies given by the user (a valuation, a price per share times
the share count, a write-down, a write-off), for what a portfolio is worth

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("date_precision", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("valuation_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('valuation', 'price', 'write-down', 'write-off')", name="ck_mark_kind"
        ),
        sa.CheckConstraint("date_precision IN ('year', 'month', 'day')", name="ck_mark_precision"),
        sa.CheckConstraint(
            "valuation_minor IS NULL OR valuation_minor > 0", name="ck_mark_valuation"
        ),
        sa.CheckConstraint("price_minor IS NULL OR price_minor > 0", name="ck_mark_price"),
        sa.CheckConstraint("shares IS NULL OR shares > 0", name="ck_mark_shares"),
        sa.CheckConstraint("(price_minor IS NULL) = (shares IS NULL)", name="ck_mark_price_shares"),
        sa.CheckConstraint(
            "(kind = 'write-off') = (valuation_minor IS NULL AND currency IS NULL)",
            name="ck_mark_write_off",
        ),
        sa.CheckConstraint(
            "(kind = 'price') = (price_minor IS NOT NULL)", name="ck_mark_price_kind"
        ),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "date", "date_precision", name="uq_mark_company_date"),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "postgresql":
        # every text column sorts byte by byte, as on SQLite (see 0007)
        for column, kind in (
            ("date", "VARCHAR(10)"),
            ("date_precision", "VARCHAR(5)"),
            ("kind", "VARCHAR(20)"),
            ("currency", "VARCHAR(3)"),
            ("source", "VARCHAR"),
            ("note", "VARCHAR"),
        ):
            op.execute(f'ALTER TABLE mark ALTER COLUMN "{column}" TYPE {kind} COLLATE "C"')


def downgrade() -> None:
    raise NotImplementedError("ecoport does not downgrade; restore a backup instead")
