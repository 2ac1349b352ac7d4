"""Persistence: SQLAlchemy models, the engine factory, migrations, backups and attachments."""
