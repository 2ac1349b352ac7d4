"""Alembic environment: migrations always run on a connection handed over by the app."""

from __future__ import annotations

from alembic import context

from zhiqian_desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations are run through zhiqian_desktop.store.migrations, not alembic")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
