"""Shared test options and helpers."""

import pathlib
import socket
import time

import pytest


def pytest_addoption(parser):
    parser.addoption('--run-slow', action='store_true', default=False,
                     help='also run long load and soak tests')


def pytest_collection_modifyitems(config, items):
    if config.getoption('--run-slow'):
        return
    deselected = [item for item in items if 'slow' in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if 'slow' not in item.keywords]


def write_conf(path: pathlib.Path, sections: dict) -> pathlib.Path:
    """Write a zaqar.conf with ``{section: {option: value}}``."""
    lines = []
    for section, options in sections.items():
        lines.append(f'[{section}]')
        lines += [f'{key} = {value}' for key, value in options.items()]
    path.write_text('\n'.join(lines) + '\n')
    return path


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30.0, interval=0.05, what='condition'):
    """Poll ``predicate`` until it returns a truthy value or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f'timed out after {timeout}s waiting for {what}')


@pytest.fixture(scope='session')
def redis_server(tmp_path_factory):
    """A redis-server for the whole run (one per xdist worker)."""
    from tests.engines.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp('redis'))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def ferretdb_server(tmp_path_factory):
    """A FerretDB (MongoDB wire protocol) for the whole run (one per xdist
    worker)."""
    from tests.engines.ferretdb import FerretDB

    server = FerretDB(tmp_path_factory.mktemp('ferretdb'))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def keystone_server(tmp_path_factory):
    """A Keystone (SQLite, fernet tokens) for the whole run (one per xdist
    worker that asks for it)."""
    from tests.engines.keystone_server import Keystone

    server = Keystone(tmp_path_factory.mktemp('keystone'))
    server.start()
    yield server
    server.stop()
