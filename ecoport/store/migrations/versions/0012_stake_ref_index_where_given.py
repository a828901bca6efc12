"""the unique index of stake references holds only the stakes that have one: the many without
(a file of a million rows without a ref column) are no longer written into it, one entry a
stake, nor kept in the file

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_REF = sa.text("ref IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_stake_ref", table_name="stake")
    op.create_index(
        "ix_stake_ref",
        "stake",
        ["ref"],
        unique=True,
        sqlite_where=HAS_REF,
        postgresql_where=HAS_REF,
    )


def downgrade() -> None:
    op.drop_index("ix_stake_ref", table_name="stake")
    op.create_index("ix_stake_ref", "stake", ["ref"], unique=True)
