"""funding rounds as their own table (a stake's round label becomes a round it took part
in), a stable reference on stakes, and normalised name keys for companies and aliases

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: revision 0003's covering index of an investor's stakes
COVERING = (
    "investor_id",
    "date",
    "company_id",
    "kind",
    "currency",
    "amount_minor",
    "date_precision",
)


def upgrade() -> None:
    from ecoport.core.names import match_key

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "funding_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("date_precision", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=True),
        sa.Column("valuation_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("date_precision IN ('year', 'month', 'day')", name="ck_round_precision"),
        sa.CheckConstraint("total_minor IS NULL OR total_minor > 0", name="ck_round_total"),
        sa.CheckConstraint(
            "valuation_minor IS NULL OR valuation_minor > 0", name="ck_round_valuation"
        ),
        sa.CheckConstraint(
            "(currency IS NULL) = (total_minor IS NULL AND valuation_minor IS NULL)",
            name="ck_round_currency",
        ),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_funding_round_company_id", "funding_round", ["company_id"])
    if postgres:
        op.execute('ALTER TABLE funding_round ALTER COLUMN "name" TYPE VARCHAR(100) COLLATE "C"')

    # SQLite adds a column with its foreign key in place (the column is NULL everywhere)
    op.execute("ALTER TABLE stake ADD COLUMN round_id INTEGER REFERENCES funding_round (id)")
    op.add_column("stake", sa.Column("ref", sa.String(length=200), nullable=True))
    op.create_index("ix_stake_round_id", "stake", ["round_id"])
    # progress reads the rounds an investor took part in from its covering index
    op.drop_index("ix_stake_investor_covering", table_name="stake")
    op.create_index("ix_stake_investor_covering", "stake", [*COVERING, "round_id"])
    op.create_index("ix_stake_ref", "stake", ["ref"], unique=True)

    # every stake's round label becomes a round of its company, on the stake's date
    labelled = bind.execute(
        sa.text(
            "SELECT DISTINCT company_id, date, date_precision, round FROM stake "
            "WHERE round IS NOT NULL ORDER BY company_id, date, date_precision, round"
        )
    ).fetchall()
    for company_id, date, precision, name in labelled:
        params = {"c": company_id, "d": date, "p": precision, "n": name}
        bind.execute(
            sa.text(
                "INSERT INTO funding_round (company_id, date, date_precision, name, created_at) "
                "VALUES (:c, :d, :p, :n, CURRENT_TIMESTAMP)"
            ),
            params,
        )
        round_id = bind.execute(
            sa.text(
                "SELECT MAX(id) FROM funding_round WHERE company_id = :c AND date = :d "
                "AND date_precision = :p AND name = :n"
            ),
            params,
        ).scalar_one()
        bind.execute(
            sa.text(
                "UPDATE stake SET round_id = :r WHERE company_id = :c AND date = :d "
                "AND date_precision = :p AND round = :n"
            ),
            {**params, "r": round_id},
        )
    op.execute("ALTER TABLE stake DROP COLUMN round")

    for table, name_column in (("company", "name"), ("company_alias", "alias")):
        # NOT NULL from the start: SQLite cannot alter a column without rebuilding the table
        # (which foreign keys make unsafe), so the column comes with a default, filled below
        op.add_column(
            table,
            sa.Column("match_key", sa.String(length=200), nullable=False, server_default=""),
        )
        rows = bind.execute(sa.text(f"SELECT id, {name_column} FROM {table}")).fetchall()
        for row_id, name in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET match_key = :k WHERE id = :id"),
                {"k": match_key(name), "id": row_id},
            )
        if postgres:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN match_key DROP DEFAULT")
        op.create_index(f"ix_{table}_match_key", table, ["match_key"])


def downgrade() -> None:
    raise NotImplementedError("ecoport does not downgrade; restore a backup instead")
