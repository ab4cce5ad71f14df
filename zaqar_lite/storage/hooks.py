"""The controller methods a pipeline stage can hook, read from the contract.

``docs/stages.md`` shows this table; a test keeps the two in sync.
"""

import inspect

from zaqar_lite.storage import base

# Pipeline option prefix -> contract class whose methods its stages hook
# (topics share the queue contract).
HOOKABLE = {'queue': base.Queue, 'message': base.Message,
            'claim': base.Claim, 'subscription': base.Subscription,
            'topic': base.Queue}


def signatures(cls) -> list[str]:
    """``name(arguments)`` of each public method of a contract class."""
    lines = []
    for name, function in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith('_'):
            continue
        params = list(inspect.signature(function).parameters.values())[1:]
        lines.append(f'{name}({", ".join(str(p) for p in params)})')
    return lines


def markdown_table() -> str:
    """The hookable methods as a Markdown table, one row per pipeline."""
    rows = ['| pipeline option | methods a stage may define |', '|---|---|']
    for resource, cls in HOOKABLE.items():
        methods = '<br>'.join(f'`{line}`' for line in signatures(cls))
        rows.append(f'| `{resource}_pipeline` | {methods} |')
    return '\n'.join(rows)
