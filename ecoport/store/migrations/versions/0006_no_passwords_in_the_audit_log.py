"""no passwords in the audit log: the command lines already recorded show every URL's
password as *** (ecoport now records them so)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    from ecoport.store.db import hide_password

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # the old text is overwritten with zeros, not left in the file's free space
        op.execute("PRAGMA secure_delete = ON")
    # only the commands that may hold a password, in batches of ids
    select = sa.text(
        "SELECT id, command FROM change WHERE id > :after "
        "AND (command LIKE '%://%' OR LOWER(command) LIKE '%password%') "
        "ORDER BY id LIMIT :batch"
    )
    update = sa.text("UPDATE change SET command = :command WHERE id = :id")
    after = 0
    while rows := bind.execute(select, {"after": after, "batch": BATCH}).all():
        shown = ((id_, command, hide_password(command)) for id_, command in rows)
        masked = [{"id": id_, "command": new} for id_, old, new in shown if new != old]
        if masked:
            bind.execute(update, masked)
        after = rows[-1][0]


def downgrade() -> None:
    raise NotImplementedError("ecoport does not downgrade; restore a backup instead")
