"""make-migration, migrate and merge-migrations, per handler package."""

import os

from sqlalchemy import create_engine, inspect, text

from tests.conftest import write_conf
from tests.consumers.helpers import cli_process
from zaqar_lite.cli import main


def test_make_migration_writes_what_migrate_applies(first_migration, setup,
                                                    capsys):
    assert "create_table('sample_events'" in first_migration.read_text()
    path, conf, _ = setup()
    engine = create_engine(conf.consumers.database)
    with engine.connect() as connection:
        version = connection.execute(text(
            'SELECT version_num FROM alembic_version_zl_sample_handler'
        )).scalar()
    engine.dispose()
    assert first_migration.name.startswith(version)
    capsys.readouterr()
    assert main(['-c', str(path), 'make-migration', 'events']) == 0
    assert 'no migration written' in capsys.readouterr().out


def test_two_heads_are_detected_and_can_be_merged(first_migration, setup,
                                                  capsys):
    path, conf, _ = setup()
    folder = first_migration.parent
    revision = first_migration.name.split('_')[0]
    fork = folder / 'f0f0f0f0f0f0_fork.py'
    fork.write_text(
        f'revision = "f0f0f0f0f0f0"\ndown_revision = "{revision}"\n'
        'branch_labels = None\ndepends_on = None\n\n\n'
        'def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n')
    second = folder / 'e1e1e1e1e1e1_other.py'
    second.write_text(fork.read_text().replace('f0f0f0f0f0f0',
                                               'e1e1e1e1e1e1'))
    merged = None
    try:
        capsys.readouterr()
        for command in (['migrate'], ['make-migration', 'events'],
                        ['worker', '--once']):
            assert main(['-c', str(path), *command]) == 1
            error = capsys.readouterr().err
            assert '2 heads (e1e1e1e1e1e1, f0f0f0f0f0f0)' in error
            assert 'merge-migrations events' in error
        assert main(['-c', str(path), 'merge-migrations', 'events']) == 0
        merged = capsys.readouterr().out.strip().splitlines()[-1]
        assert main(['-c', str(path), 'migrate']) == 0
    finally:
        for script in (fork, second):
            script.unlink()
        if merged:
            os.unlink(merged)


def test_a_handler_module_shares_its_package_history(handler_folder,
                                                     tmp_path, capsys):
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumers': {'database': f'sqlite:///{tmp_path}/app.db'},
        'consumer:notes': {'queue': 'q', 'handler': 'zl_sample_app.consumer'},
        'consumer:more-notes': {'queue': 'q2',
                                'handler': 'zl_sample_app.consumer'}})
    assert main(['-c', str(path), 'make-migration', 'notes']) == 0
    [script] = capsys.readouterr().out.split()[-1:]
    try:
        assert os.path.dirname(script) == str(
            handler_folder.parent / 'zl_sample_app' / 'migrations')
        text_ = open(script).read()
        assert "create_table('sample_app_notes'" in text_
        assert 'sample_events' not in text_  # another handler's table
        assert main(['-c', str(path), 'migrate']) == 0
        assert capsys.readouterr().out.count('zl_sample_app: at') == 1
        engine = create_engine(f'sqlite:///{tmp_path}/app.db')
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert tables == {'sample_app_notes', 'alembic_version_zl_sample_app'}
    finally:
        os.unlink(script)


EVOLVING_MODELS = '''
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from zaqar_lite.consumers.models import Base


class Item(Base):
    __tablename__ = 'evolving_items'

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
'''
EVOLVED = '''
    text: Mapped[str] = mapped_column(String(400))
    note: Mapped[str | None] = mapped_column(String(50), nullable=True)
'''


def test_a_model_change_becomes_a_migration_that_migrate_applies(
        database, tmp_path):
    # Given a handler package whose first migration was made and applied
    # (each step a new process, as an operator runs them),
    site = tmp_path / 'site'
    package = site / 'zl_evolving'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text(
        'from zl_evolving.models import Item  # noqa: F401\n\n\n'
        'def process(dbsession, record):\n    pass\n')
    (package / 'models.py').write_text(EVOLVING_MODELS)
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumers': {'database': database},
        'consumer:evo': {'queue': 'q', 'handler': 'zl_evolving'}})

    def cli(*args):
        process = cli_process(path, site, *args)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        return out

    cli('make-migration', 'evo', '-m', 'items')
    cli('migrate')
    # when its model changes (a wider column, a new one),
    models = (package / 'models.py')
    models.write_text(models.read_text().replace(
        "    text: Mapped[str] = mapped_column(String(200))\n", EVOLVED))
    script = cli('make-migration', 'evo', '-m', 'notes').split()[-1]
    # then make-migration writes a script of just that change, which
    # migrate applies (SQLite through Alembic's batch mode).
    written = open(script).read()
    assert 'add_column(' in written and "sa.Column('note'" in written
    assert 'create_table' not in written
    cli('migrate')
    engine = create_engine(database)
    columns = {c['name']: c['type'] for c in
               inspect(engine).get_columns('evolving_items')}
    engine.dispose()
    assert set(columns) == {'id', 'text', 'note'}
    assert columns['text'].length == 400
