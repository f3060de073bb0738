"""Alembic environment: runs on the connection that ``db.migrate`` hands it."""

from alembic import context
from sqlalchemy.engine import Connection

from integration_hub.db.models import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with 'integration-hub migrate'")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters tables by copying them; batch mode does that for us.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
