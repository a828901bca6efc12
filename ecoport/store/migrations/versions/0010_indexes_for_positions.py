"""indexes for reading positions at scale: an investor's stakes by company (covering what
its standing needs, percent included, so progress reads no table row and groups without
sorting), and the few rounds that dilute (a total and a post-money valuation) apart from
the many that do not, and the few acquisitions of a whole company

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COVERING = (
    "investor_id",
    "date",
    "company_id",
    "kind",
    "currency",
    "amount_minor",
    "date_precision",
    "round_id",
)
COVERING = (
    "investor_id",
    "company_id",
    "date",
    "kind",
    "percent_micro",
    "currency",
    "amount_minor",
    "date_precision",
    "round_id",
)
DILUTING = sa.text("total_minor IS NOT NULL AND valuation_minor IS NOT NULL")
WHOLE = sa.text("kind = 'acquisition' AND (percent_micro IS NULL OR percent_micro >= 100000000)")


def upgrade() -> None:
    op.drop_index("ix_stake_investor_covering", table_name="stake")
    op.create_index("ix_stake_investor_covering", "stake", list(COVERING))
    op.create_index(
        "ix_funding_round_diluting",
        "funding_round",
        ["company_id", "date"],
        sqlite_where=DILUTING,
        postgresql_where=DILUTING,
    )
    op.create_index(
        "ix_stake_whole_acquisition",
        "stake",
        ["company_id", "investor_id", "date", "kind", "percent_micro"],
        sqlite_where=WHOLE,
        postgresql_where=WHOLE,
    )


def downgrade() -> None:
    op.drop_index("ix_stake_whole_acquisition", table_name="stake")
    op.drop_index("ix_funding_round_diluting", table_name="funding_round")
    op.drop_index("ix_stake_investor_covering", table_name="stake")
    op.create_index("ix_stake_investor_covering", "stake", list(OLD_COVERING))
