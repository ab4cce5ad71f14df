"""Dead-letter moves of the SQLite store: each inside the caller's write
transaction, so the move and its provenance are one atomic write."""

import json

from zaqar_lite.storage import base
from zaqar_lite.storage.sqlite import messages as sqlite_messages
from zaqar_lite.storage.sqlite.queues import create_queue, scope

EXPIRY_BATCH = 1000  # expired messages one gc pass moves per queue


def move(conn, row, source, target, project, meta, now, reason,
         detail=None):
    """Move a message row of ``source`` to ``target``, unclaimed, as a new
    post that keeps its id, claim count and priority and records where it
    came from."""
    create_queue(conn, target, project)
    ttl = base.dead_letter_ttl(meta, row['ttl'])
    origin = base.provenance(source, reason, row['claim_count'], now, detail)
    sqlite_messages.delete_rows(conn, source, project, [row])
    conn.execute(
        'INSERT INTO messages (id, project, queue, body, client_uuid, created, '
        'ttl, expires, delay, available_at, claim_count, priority, '
        'dead_letter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)',
        (row['id'], scope(project), target, row['body'], row['client_uuid'],
         now, ttl, now + ttl, now, row['claim_count'], row['priority'],
         json.dumps(origin)))
    sqlite_messages.count_messages(conn, target, project, 1)


def move_expired(conn, queue, project, meta, target, now) -> int:
    """Move up to ``EXPIRY_BATCH`` expired messages of the queue to
    ``target``; returns how many moved."""
    rows = conn.execute(
        f'SELECT {sqlite_messages.MESSAGE_COLUMNS} FROM messages INDEXED BY '
        'messages_by_expiry WHERE project = ? AND queue = ? AND expires <= ? '
        'ORDER BY expires LIMIT ?',
        (scope(project), queue, now, EXPIRY_BATCH)).fetchall()
    for row in rows:
        move(conn, row, queue, target, project, meta, now,
             base.DeadLetterReason.EXPIRED)
    return len(rows)
