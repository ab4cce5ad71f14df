"""A real Keystone (SQLite backend, fernet tokens) on a free loopback port,
in a temporary folder, bootstrapped with ``keystone-manage``.

Keystone runs from its own virtualenv (``.cache-keystone/venv``, made by
``scripts/build-keystone`` when missing) and is served by gunicorn through
``keystone_serve.py``.  :class:`Keystone` also creates what the tests need
through Keystone's API: projects, users and role assignments, and a service
user zaqar-lite's ``auth_token`` validates tokens with.
"""

import dataclasses
import datetime
import fcntl
import grp
import os
import pathlib
import pwd
import subprocess
import uuid

import requests

from tests.conftest import free_port, wait_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = ROOT / '.cache-keystone' / 'venv'
PYTHON = VENV / 'bin' / 'python'
SERVE = pathlib.Path(__file__).with_name('keystone_serve.py')
ADMIN_PASSWORD = 'admin-secret'
TIMEOUT = 30  # seconds for one call to Keystone


@dataclasses.dataclass(frozen=True)
class Account:
    """A user with a role on a project of its own."""

    name: str
    password: str
    user_id: str
    project_id: str


def ensure_installed():
    """Install Keystone's virtualenv once, whichever xdist worker asks."""
    with open(ROOT / '.cache-keystone.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([str(ROOT / 'scripts' / 'build-keystone')], check=True)


class Keystone:
    """One Keystone process and an admin session on it."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.port = free_port()
        self.proc = None
        self.conf_path = self.folder / 'keystone.conf'
        self.admin_token = None

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/v3'

    def start(self):
        ensure_installed()
        self._write_conf()
        for command in (['db_sync'],
                        ['fernet_setup', *self._owner()],
                        ['credential_setup', *self._owner()],
                        ['bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                         '--bootstrap-public-url', self.url,
                         '--bootstrap-internal-url', self.url,
                         '--bootstrap-region-id', 'RegionOne']):
            self._manage(command)
        self.log = open(self.folder / 'keystone.log', 'ab')
        self.proc = subprocess.Popen(
            [str(PYTHON), str(SERVE), str(self.conf_path), str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder)
        wait_for(self._answers, timeout=120, what='Keystone')
        self.admin_token = self.token('admin', ADMIN_PASSWORD, 'admin')

    def _write_conf(self):
        folder = self.folder
        self.conf_path.write_text(
            '[DEFAULT]\nuse_stderr = true\n'
            f'[database]\nconnection = sqlite:///{folder}/keystone.db\n'
            '[token]\nprovider = fernet\nexpiration = 3600\n'
            f'[fernet_tokens]\nkey_repository = {folder}/fernet-keys\n'
            f'[fernet_receipts]\nkey_repository = {folder}/fernet-receipts\n'
            f'[credential]\nkey_repository = {folder}/credential-keys\n')

    @staticmethod
    def _owner():
        """keystone-manage's key folders belong to whoever runs the tests."""
        return ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                '--keystone-group', grp.getgrgid(os.getgid()).gr_name]

    def _manage(self, args):
        result = subprocess.run(
            [str(PYTHON), '-c', 'import sys; from keystone.cmd.manage '
             'import main; sys.exit(main())', '--config-file',
             str(self.conf_path), *args],
            cwd=self.folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f'keystone-manage {args[0]} failed:\n'
                               f'{result.stderr[-3000:]}')

    def _answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f'Keystone exited; see {self.folder}')
        try:
            return requests.get(self.url, timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        if self.proc:
            self.log.close()

    # Keystone's API, as the tests use it.

    def _call(self, method, path, token=None, **kwargs):
        resp = requests.request(
            method, self.url + path, timeout=TIMEOUT,
            headers={'X-Auth-Token': token or self.admin_token}, **kwargs)
        resp.raise_for_status()
        return resp

    def token(self, user, password, project=None, project_id=None) -> str:
        """A token for ``user`` (in the default domain), scoped to a project
        named ``project`` (or of id ``project_id``), unscoped without."""
        auth = {'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': password}}}}
        if project is not None:
            auth['scope'] = {'project': {'name': project,
                                         'domain': {'id': 'default'}}}
        if project_id is not None:
            auth['scope'] = {'project': {'id': project_id}}
        resp = requests.post(self.url + '/auth/tokens', json={'auth': auth},
                             timeout=TIMEOUT)
        resp.raise_for_status()
        return resp.headers['X-Subject-Token']

    def create_project(self, name) -> str:
        return self._call('POST', '/projects', json={'project': {
            'name': name, 'domain_id': 'default'}}).json()['project']['id']

    def project_id(self, name) -> str:
        """The id of the project called ``name`` (default domain)."""
        found = self._call('GET', '/projects', params={'name': name}).json()
        return found['projects'][0]['id']

    def create_user(self, name, password) -> str:
        return self._call('POST', '/users', json={'user': {
            'name': name, 'password': password,
            'domain_id': 'default'}}).json()['user']['id']

    def role_id(self, name) -> str:
        roles = self._call('GET', '/roles', params={'name': name}).json()
        return roles['roles'][0]['id']

    def grant(self, user_id, project_id, role):
        self._call('PUT', f'/projects/{project_id}/users/{user_id}/roles/'
                          f'{self.role_id(role)}')

    def user_in_new_project(self, role='member') -> Account:
        """A new user with ``role`` on a new project."""
        suffix = uuid.uuid4().hex[:10]
        password = uuid.uuid4().hex
        project_id = self.create_project(f'project-{suffix}')
        user_id = self.create_user(f'user-{suffix}', password)
        self.grant(user_id, project_id, role)
        return Account(f'user-{suffix}', password, user_id, project_id)

    def project_token(self, account: Account) -> str:
        """A token of ``account`` scoped to its project."""
        return self.token(account.name, account.password,
                          project_id=account.project_id)

    def short_lived_token(self, account: Account, seconds) -> str:
        """A project token of ``account`` that expires in about ``seconds``:
        issued through an application credential that expires then
        (Keystone caps a token's expiry at its credential's)."""
        expires = (datetime.datetime.now(datetime.timezone.utc)
                   + datetime.timedelta(seconds=seconds))
        credential = self._call(
            'POST', f'/users/{account.user_id}/application_credentials',
            token=self.project_token(account),
            json={'application_credential': {
                'name': uuid.uuid4().hex,
                'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S')}},
        ).json()['application_credential']
        resp = requests.post(self.url + '/auth/tokens', timeout=TIMEOUT, json={
            'auth': {'identity': {
                'methods': ['application_credential'],
                'application_credential': {
                    'id': credential['id'],
                    'secret': credential['secret']}}}})
        resp.raise_for_status()
        return resp.headers['X-Subject-Token']

    def service_user(self):
        """A user with the service role on a ``service`` project, which
        zaqar-lite's auth_token validates tokens as.

        Returns:
            the ``[keystone_authtoken]`` options for it.
        """
        suffix = uuid.uuid4().hex[:10]
        password = uuid.uuid4().hex
        project_id = self.create_project(f'service-{suffix}')
        user_id = self.create_user(f'zaqar-{suffix}', password)
        self.grant(user_id, project_id, 'service')
        return {'www_authenticate_uri': self.url,
                'auth_url': self.url, 'auth_type': 'password',
                'username': f'zaqar-{suffix}', 'password': password,
                'user_domain_id': 'default',
                'project_name': f'service-{suffix}',
                'project_domain_id': 'default'}
