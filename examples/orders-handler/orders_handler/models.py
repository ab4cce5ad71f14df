"""The tables this handler owns."""

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from zaqar_lite.consumers.models import Base


class Order(Base):
    """One order, once: ``order_id`` is unique, so a message processed a
    second time (at-least-once delivery) fails and is not stored twice."""

    __tablename__ = 'orders'

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer: Mapped[str] = mapped_column(String(200), index=True)
    amount: Mapped[float] = mapped_column(Numeric(12, 2))
