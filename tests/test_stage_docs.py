"""docs/stages.md lists exactly the methods the storage contract has."""

import pathlib

from zaqar_lite.storage import hooks

DOC = pathlib.Path(__file__).resolve().parent.parent / 'docs' / 'stages.md'


def test_hookable_methods_table_matches_the_contract():
    assert hooks.markdown_table() in DOC.read_text(), \
        'regenerate the table in docs/stages.md from hooks.markdown_table()'
