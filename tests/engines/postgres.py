"""A private PostgreSQL cluster on a free loopback port, in a temp folder.

PostgreSQL refuses to run as root: when the tests run as root, the
cluster is created and run as the ``postgres`` system user (the Debian
package's), which owns the folder.
"""

import glob
import os
import pwd
import shutil
import subprocess

from tests.conftest import free_port


def _binary(name):
    found = shutil.which(name) or sorted(
        glob.glob(f'/usr/lib/postgresql/*/bin/{name}'))[-1:]
    if not found:
        raise RuntimeError(f'{name} is not installed: run ./scripts/test, '
                           'which installs PostgreSQL')
    return found if isinstance(found, str) else found[0]


class PostgresServer:
    """``initdb`` + ``pg_ctl start``; ``url(database)`` for SQLAlchemy."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.data = os.path.join(self.folder, 'data')
        self.port = free_port()
        self.user = 'postgres' if os.geteuid() == 0 else \
            pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args):
        command = list(args)
        if os.geteuid() == 0:
            command = ['runuser', '-u', 'postgres', '--'] + command
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, cwd=self.folder)

    def start(self):
        if os.geteuid() == 0:
            entry = pwd.getpwnam('postgres')
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(_binary('initdb'), '-D', self.data, '-A', 'trust',
                  '-U', self.user, '--no-sync', '-E', 'UTF8')
        self._run(_binary('pg_ctl'), '-D', self.data, '-w', '-t', '60',
                  '-l', os.path.join(self.folder, 'log'), '-o',
                  f'-p {self.port} -h 127.0.0.1 -k {self.folder} '
                  '-c fsync=off -c max_connections=100', 'start')
        return self

    def create_database(self, name):
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg
        with psycopg.connect(self.url('postgres'), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.sqlalchemy_url(name)

    def execute(self, statement, *params):
        """Run one statement as the superuser, outside any transaction."""
        import psycopg
        with psycopg.connect(self.url('postgres'), autocommit=True) as conn:
            conn.execute(statement, params or None)

    def url(self, database):
        return (f'postgresql://{self.user}@127.0.0.1:{self.port}/'
                f'{database}')

    def sqlalchemy_url(self, database):
        return (f'postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/'
                f'{database}')

    def stop(self):
        try:
            self._run(_binary('pg_ctl'), '-D', self.data, '-m', 'immediate',
                      'stop')
        except subprocess.CalledProcessError:
            pass
