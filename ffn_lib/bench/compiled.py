"""torch.compile for the benchmark: each function compiled fresh, whole-graph, and a fallback an error.

:class:`FreshCompiled` wraps ``torch.compile`` so that a number labelled "compile"
is a compiled number: dynamo's cache is reset for each function, a graph break
raises (``fullgraph=True``), and so does the recompile limit, as
:class:`CompileFallbackError`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch


@functools.cache
def _dynamo_names() -> tuple[str, tuple[type, ...]]:
    """The config flag and the exceptions of a recompile-limit fallback, under this torch's names."""
    import torch._dynamo

    flag = next(name for name in ("fail_on_recompile_limit_hit", "fail_on_cache_limit_hit")
                if hasattr(torch._dynamo.config, name))
    errors = tuple(getattr(torch._dynamo.exc, name) for name in ("Unsupported", "FailOnRecompileLimitHit",
                                                                 "FailOnCacheLimitHit")
                   if hasattr(torch._dynamo.exc, name))
    return flag, errors


class CompileFallbackError(RuntimeError):
    """torch.compile did not compile the whole function (a graph break, or dynamo's recompile limit)."""


class FreshCompiled:
    """``torch.compile(fn)`` compiled fresh, whole-graph, static shapes; a fallback is an error.

    Dynamo caches compiled code per *code object*: functions made by one factory
    (or lambdas on one line) share it, and after ``recompile_limit`` (8) entries,
    counting grad on and off separately, it silently runs the rest eagerly. So:
    ``torch._dynamo.reset()`` before compiling (on first use, so that cases run
    one after another each get an empty cache), ``fullgraph=True`` (a graph break
    raises), and ``fail_on_recompile_limit_hit`` during every call (the limit
    raises). Either becomes a :class:`CompileFallbackError`: an error, not a number.
    """

    def __init__(self, fn: Callable, backend: str = "inductor"):
        self.fn, self.backend, self._compiled = fn, backend, None
        self._breaks_before = 0

    def __call__(self, *args: Any) -> Any:
        import torch._dynamo
        import torch._functorch.config

        if self._compiled is None:
            torch._dynamo.reset()
            self._breaks_before = _graph_breaks()
            self._compiled = torch.compile(self.fn, fullgraph=True, dynamic=False, backend=self.backend)
        fail_on_limit, fallback_errors = _dynamo_names()
        try:
            # donated_buffer=False: the compiled backward may not reuse its saved tensors' memory, so the suite
            # can time backward alone by running it again on a retained graph (autograd.grad(retain_graph=True)).
            with torch._dynamo.config.patch(**{fail_on_limit: True}), \
                    torch._functorch.config.patch(donated_buffer=False):
                return self._compiled(*args)
        except fallback_errors as err:
            raise CompileFallbackError(
                f"torch.compile of {getattr(self.fn, '__name__', 'fn')} would have fallen back to eager "
                f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}); a fallback is an error "
                "here, not a number labelled 'compile'.") from err

    def check(self) -> None:
        """Raise if dynamo recorded a graph break since this function was compiled (run after its cases)."""
        if _graph_breaks() > self._breaks_before:
            from torch._dynamo.utils import counters

            raise CompileFallbackError(f"torch.compile of {getattr(self.fn, '__name__', 'fn')} recorded graph "
                                       f"breaks: {dict(counters['graph_break'])}.")


def _graph_breaks() -> int:
    from torch._dynamo.utils import counters

    return sum(counters["graph_break"].values())
