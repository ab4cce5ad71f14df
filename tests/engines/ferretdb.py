"""A real FerretDB (MongoDB wire protocol, SQLite backend) on a free loopback
port, in a temporary folder."""

import pathlib
import subprocess

import pymongo
import pymongo.errors

from tests.conftest import free_port, wait_for

BINARY = (pathlib.Path(__file__).resolve().parents[2]
          / '.cache' / 'ferretdb' / 'bin' / 'ferretdb')


class FerretDB:
    """One FerretDB process; ``restart`` keeps its data folder."""

    def __init__(self, folder):
        if not BINARY.exists():
            raise RuntimeError(f'{BINARY} is missing: run ./scripts/test '
                               '(or ./scripts/build-ferretdb) to build it')
        self.folder = pathlib.Path(folder)
        self.port = free_port()
        self.proc = None

    @property
    def uri(self):
        return f'mongodb://127.0.0.1:{self.port}/'

    def start(self):
        data = self.folder / 'data'
        data.mkdir(exist_ok=True)
        self.log = open(self.folder / 'ferretdb.log', 'ab')
        self.proc = subprocess.Popen(
            [str(BINARY), '--handler=sqlite', f'--sqlite-url=file:{data}/',
             f'--listen-addr=127.0.0.1:{self.port}',
             f'--state-dir={self.folder}', '--telemetry=disable',
             '--debug-addr=-',  # no debug HTTP listener: no port to clash
             '--log-level=warn'],
            stdout=self.log, stderr=subprocess.STDOUT)
        client = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=500)
        try:
            wait_for(lambda: self._answers(client), what='FerretDB')
        finally:
            client.close()

    def _answers(self, client):
        if self.proc.poll() is not None:
            raise RuntimeError(f'FerretDB exited; see {self.folder}')
        try:
            return client.admin.command('ping')['ok'] == 1
        except pymongo.errors.PyMongoError:
            return False

    def kill(self):
        """Stop it the hard way, as a crash would."""
        self.proc.kill()
        self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        if self.proc:
            self.log.close()
