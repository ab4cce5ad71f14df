"""Serve Keystone's public WSGI app with gunicorn (run by Keystone's venv).

Usage: ``python keystone_serve.py CONFIG_FILE PORT``.  Keystone parses the
process's command line with oslo.config, so it must not see gunicorn's
arguments: this script hands gunicorn its settings in code instead.
"""

import os
import sys

from gunicorn.app.base import BaseApplication


class KeystoneServer(BaseApplication):
    """gunicorn serving ``keystone.wsgi.api:application`` on loopback."""

    def __init__(self, port):
        self.port = port
        super().__init__()

    def load_config(self):
        for key, value in {'bind': f'127.0.0.1:{self.port}', 'workers': 1,
                           'worker_class': 'gthread', 'threads': 4,
                           'timeout': 120, 'accesslog': None}.items():
            self.cfg.set(key, value)

    def load(self):
        from keystone.wsgi import api
        return api.application


def main():
    config_file, port = sys.argv[1], int(sys.argv[2])
    os.environ['OS_KEYSTONE_CONFIG_DIR'] = os.path.dirname(config_file)
    os.environ['OS_KEYSTONE_CONFIG_FILES'] = os.path.basename(config_file)
    sys.argv = sys.argv[:1]
    KeystoneServer(port).run()


if __name__ == '__main__':
    main()
