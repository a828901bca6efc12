"""Alembic environment: runs migrations on the connection ecoport hands over."""

from alembic import context
from sqlmodel import SQLModel

from ecoport.store import models  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - ecoport always passes its connection
    raise RuntimeError("ecoport migrations run through ecoport.store.migrate")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
