"""Alembic migrations, run from inside the package (no alembic.ini needed)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine


def config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "ecoport.store:migrations")
    return cfg


def upgrade(engine: "Engine", revision: str = "head") -> None:
    """Upgrade the database to *revision*, each migration in one transaction."""
    from alembic import command

    cfg = config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def head() -> str:
    """The newest revision among the shipped migrations."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision
