from zl_sample_app.models import Note


def process(dbsession, record):
    dbsession.add(Note(text=record.decode()))
