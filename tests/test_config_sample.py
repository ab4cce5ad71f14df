"""The committed etc/zaqar.conf.sample matches the option lists."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_sample_config_is_current(tmp_path):
    generated = tmp_path / 'zaqar.conf.sample'
    subprocess.run(
        [sys.executable, '-m', 'oslo_config.generator', '--config-file',
         str(ROOT / 'etc/oslo-config-generator/zaqar-lite.conf'),
         '--output-file', str(generated)], check=True, cwd=ROOT)
    committed = (ROOT / 'etc/zaqar.conf.sample').read_text()
    assert generated.read_text() == committed, \
        'etc/zaqar.conf.sample is stale: run ./scripts/genconfig'


def test_every_option_has_help():
    from zaqar_lite.conf import opts

    missing = [f'[{group}] {opt.name}' for group, group_opts in opts.list_opts()
               for opt in group_opts if not opt.help]
    assert missing == []
