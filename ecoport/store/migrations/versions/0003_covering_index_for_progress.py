"""a covering index for an investor's stakes, so progress reads no table rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
    op.drop_index("ix_stake_investor_date", table_name="stake")
    op.create_index("ix_stake_investor_covering", "stake", list(COVERING))


def downgrade() -> None:
    op.drop_index("ix_stake_investor_covering", table_name="stake")
    op.create_index("ix_stake_investor_date", "stake", ["investor_id", "date"])
