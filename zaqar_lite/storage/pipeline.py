"""Pipeline: ordered stages in front of a storage controller.

Calling ``pipeline.create(...)`` calls ``create(...)`` on every stage that
has it, in order.  The first stage that returns something other than
``None`` halts the pipeline and its value is the result.  The storage
controller is always the last stage, and its return value (``None``
included) is the result when no stage halted.  These are Zaqar's semantics,
so stages written for Zaqar behave the same here.
"""

import functools


class Pipeline:
    """Ordered stages ending with the storage controller.

    Args:
        stages: objects implementing any subset of the controller's methods.
        controller: the storage controller; called last.
    """

    def __init__(self, stages, controller):
        self.stages = list(stages)
        self.controller = controller

    def __getattr__(self, method):
        # Called only for names that are not attributes: controller methods.
        if method.startswith('_'):
            raise AttributeError(method)
        chain = self._chain(method)
        if not chain:
            raise AttributeError(
                f'no stage nor the controller implements {method!r}')
        # Resolve each method's chain once; with no stage hooking it, the
        # controller's own bound method is called directly, at no cost.
        call = chain[0] if len(chain) == 1 else functools.partial(
            _call_chain, chain)
        setattr(self, method, call)
        return call

    def _chain(self, method):
        callables = []
        for target in (*self.stages, self.controller):
            bound = getattr(target, method, None)
            if callable(bound):
                callables.append(bound)
        return tuple(callables)


def _call_chain(chain, *args, **kwargs):
    *stages, last = chain
    for stage in stages:
        result = stage(*args, **kwargs)
        if result is not None:
            return result
    return last(*args, **kwargs)
