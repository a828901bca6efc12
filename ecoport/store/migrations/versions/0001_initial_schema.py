"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_sector"), ["sector"], unique=False)

    op.create_table(
        "company_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alias_key"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("company_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_company_alias_company_id"), ["company_id"], unique=False
        )

    op.create_table(
        "stake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("date_precision", sa.String(length=5), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("percent_micro", sa.BigInteger(), nullable=True),
        sa.Column("round", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("date_precision IN ('year', 'month', 'day')", name="ck_stake_precision"),
        sa.CheckConstraint(
            "kind IN ('investment', 'acquisition', 'holding', 'sale', 'exit', 'write-off')",
            name="ck_stake_kind",
        ),
        sa.CheckConstraint(
            "(amount_minor IS NULL) = (currency IS NULL)", name="ck_stake_amount_currency"
        ),
        sa.CheckConstraint("amount_minor IS NULL OR amount_minor > 0", name="ck_stake_amount"),
        sa.CheckConstraint("investor_id <> company_id", name="ck_stake_not_self"),
        sa.CheckConstraint(
            "percent_micro IS NULL OR (percent_micro > 0 AND percent_micro <= 100000000)",
            name="ck_stake_percent",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
        ),
        sa.ForeignKeyConstraint(
            ["investor_id"],
            ["company.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("stake", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stake_company_id"), ["company_id"], unique=False)
        batch_op.create_index("ix_stake_investor_date", ["investor_id", "date"], unique=False)

    op.create_table(
        "target",
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.CheckConstraint("target > 0", name="ck_target_positive"),
        sa.ForeignKeyConstraint(["investor_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("investor_id"),
    )


def downgrade() -> None:
    op.drop_table("target")
    with op.batch_alter_table("stake", schema=None) as batch_op:
        batch_op.drop_index("ix_stake_investor_date")
        batch_op.drop_index(batch_op.f("ix_stake_company_id"))

    op.drop_table("stake")
    with op.batch_alter_table("company_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_alias_company_id"))

    op.drop_table("company_alias")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_sector"))

    op.drop_table("company")
