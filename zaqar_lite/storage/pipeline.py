"""Pipeline: ordered stages around a storage controller.

Calling ``pipeline.create(...)`` calls ``create(...)`` on every stage that
has it, in order.  The first stage that returns something other than
``None`` halts the pipeline and its value is the result.  The storage
controller is always the last stage, and its return value (``None``
included) is the result when no stage halted.  These are Zaqar's semantics,
so stages written for Zaqar behave the same here.

A zaqar-lite extension: a stage may also define ``after_create(result,
...)``, called with the controller's result and the same arguments once the
controller has returned (not when a stage halted the pipeline).  The
notifier uses it to push messages only after they are stored.
"""

import functools


class Pipeline:
    """Ordered stages ending with the storage controller.

    Args:
        stages: objects implementing any subset of the controller's methods
            (and ``after_<method>`` hooks).
        controller: the storage controller; called last.
    """

    def __init__(self, stages, controller):
        self.stages = list(stages)
        self.controller = controller

    def __getattr__(self, method):
        # Called only for names that are not attributes: controller methods.
        if method.startswith('_'):
            raise AttributeError(method)
        befores = self._callables(self.stages, method)
        afters = self._callables(self.stages, f'after_{method}')
        final = getattr(self.controller, method, None)
        if not callable(final):
            if not befores:
                raise AttributeError(
                    f'no stage nor the controller implements {method!r}')
            *befores, final = befores
        # Resolve each method's chain once; with no stage hooking it, the
        # controller's own bound method is called directly, at no cost.
        call = final if not befores and not afters else functools.partial(
            _call_chain, tuple(befores), final, tuple(afters))
        setattr(self, method, call)
        return call

    def hooked(self, *methods) -> bool:
        """Whether a stage hooks any of ``methods`` (or its ``after_``)."""
        return any(self._callables(self.stages, name) for method in methods
                   for name in (method, f'after_{method}'))

    @staticmethod
    def _callables(targets, name):
        return [bound for bound in (getattr(t, name, None) for t in targets)
                if callable(bound)]


def _call_chain(befores, final, afters, *args, **kwargs):
    for stage in befores:
        result = stage(*args, **kwargs)
        if result is not None:
            return result
    result = final(*args, **kwargs)
    for after in afters:
        after(result, *args, **kwargs)
    return result
