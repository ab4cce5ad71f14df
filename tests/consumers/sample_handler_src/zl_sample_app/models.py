from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from zaqar_lite.consumers.models import Base


class Note(Base):
    __tablename__ = 'sample_app_notes'

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
