"""A handler for the consumer tests (copied to a temp folder per run).

Records look like ``{"key": "k1", "fail": 2}``: the first ``fail``
attempts at a key raise (after writing a row, which the rollback must
undo); ``"fail": "always"`` is a poison message; ``"sleep": s`` makes the
handler slow.
"""

import collections
import json
import threading
import time

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from zaqar_lite.consumers.models import Base

ATTEMPTS = collections.Counter()
_LOCK = threading.Lock()


class Event(Base):
    __tablename__ = 'sample_events'

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(String(2000))


def process(dbsession, record):
    document = json.loads(record)
    with _LOCK:
        ATTEMPTS[document['key']] += 1
        attempt = ATTEMPTS[document['key']]
    time.sleep(document.get('sleep', 0))
    fail = document.get('fail', 0)
    dbsession.add(Event(key=f'{document["key"]}#attempt{attempt}',
                        payload='written before failing'))
    dbsession.flush()
    if fail == 'always' or attempt <= fail:
        raise RuntimeError(f'planned failure of {document["key"]}')
    dbsession.query(Event).filter(
        Event.key == f'{document["key"]}#attempt{attempt}').delete()
    dbsession.add(Event(key=document['key'], payload=record.decode()))


def register_commands(subs):
    count = subs.add_parser('count', help='count stored events')
    count.add_argument('--prefix', default='')
    count.set_defaults(func=_count)


def _count(config, args):
    from sqlalchemy.orm import Session

    from zaqar_lite.consumers.database import engine_for

    with Session(engine_for(config)) as session:
        found = session.scalar(select(func.count(Event.id)).where(
            Event.key.startswith(args.prefix)))
    print(f'{found} events starting with {args.prefix!r}')
    return 0
