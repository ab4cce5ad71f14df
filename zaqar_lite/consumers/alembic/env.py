"""Alembic environment of handler migrations (driven by migrations.py).

Everything comes through ``config.attributes``: the connection, the
metadata, the handler's version table and the filter that keeps each
handler to its own tables.
"""

from alembic import context

config = context.config
connection = config.attributes['connection']
context.configure(
    connection=connection,
    target_metadata=config.attributes['target_metadata'],
    version_table=config.attributes['version_table'],
    include_object=config.attributes['include_object'],
    render_as_batch=connection.dialect.name == 'sqlite')
with context.begin_transaction():
    context.run_migrations()
