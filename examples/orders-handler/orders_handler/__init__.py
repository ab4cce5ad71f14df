"""Orders from a queue into the ``orders`` table.

Messages look like ``{"order_id": "A-1", "customer": "ann", "amount": 9.5}``.
"""

import json

from sqlalchemy import func, select

from orders_handler.models import Order


def process(dbsession, record: bytes) -> None:
    """Store one order; the worker commits (or rolls back) and deletes."""
    document = json.loads(record)
    if dbsession.scalar(select(Order.id).where(
            Order.order_id == document['order_id'])) is not None:
        return  # processed before: at-least-once delivery, stored once
    dbsession.add(Order(order_id=document['order_id'],
                        customer=document['customer'],
                        amount=document['amount']))


def register_commands(subs):
    """``zaqar-lite -c zaqar.conf orders total [--customer NAME]``."""
    total = subs.add_parser('total', help='sum of stored orders')
    total.add_argument('--customer', help='only this customer')
    total.set_defaults(func=_total)


def _total(config, args):
    from sqlalchemy.orm import Session

    from zaqar_lite.consumers.database import engine_for

    query = select(func.count(Order.id), func.coalesce(func.sum(
        Order.amount), 0))
    if args.customer:
        query = query.where(Order.customer == args.customer)
    with Session(engine_for(config)) as session:
        count, amount = session.execute(query).one()
    print(f'{count} orders, {amount} in total')
    return 0
