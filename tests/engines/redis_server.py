"""A real redis-server on a free loopback port, in a temporary folder."""

import shutil
import subprocess

import redis

from tests.conftest import free_port, wait_for


class RedisServer:
    """One redis-server process; ``restart`` keeps its data folder."""

    def __init__(self, folder, appendonly=False):
        binary = shutil.which('redis-server')
        if binary is None:
            raise RuntimeError('redis-server is not installed: run '
                               './scripts/test, which installs it')
        self.binary, self.folder = binary, folder
        self.appendonly = appendonly
        self.port = free_port()
        self.proc = None

    @property
    def uri(self):
        return f'redis://127.0.0.1:{self.port}/0'

    def start(self):
        args = [self.binary, '--port', str(self.port), '--bind', '127.0.0.1',
                '--dir', str(self.folder), '--save', '',
                '--daemonize', 'no', '--loglevel', 'warning']
        if self.appendonly:
            args += ['--appendonly', 'yes', '--appendfsync', 'always']
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_timeout=1)
        wait_for(lambda: self._answers(client), what='redis-server')
        client.close()

    def _answers(self, client):
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def kill(self):
        """Stop it the hard way, as a crash would."""
        self.proc.kill()
        self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
