"""The declarative base every handler's models inherit from."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base class of handler models: ``class Order(Base): ...``."""
