"""The TSP kernels of `tsp_metric`, `tsp_construction` and `tsp_local_search`, compiled once per
process in a daemon thread, so that no run blocks on numba: loading them from numba's cache
takes under a second, compiling them cold about 18 s (more on a busy machine), and a compile
cannot be interrupted. A run waits for them only as long as its time allows (`ready`) and
answers without them otherwise; the compile goes on, and a later run of the process finds them
ready. The warm-up calls each kernel with the argument types the solver passes (float64 and
int64 C arrays, the metric's read-only ones), so that runs never compile anything else."""

from __future__ import annotations

import threading

import numpy as np

_lock = threading.Lock()
_done = threading.Event()
_thread: threading.Thread | None = None
_failure: BaseException | None = None  # what the compile raised, if it did


def ready(timeout: float | None) -> bool:
    """Whether every kernel is compiled (or loaded from numba's cache) in this process, after
    waiting at most `timeout` seconds for it (None: as long as it takes). The first call starts
    the compile; a compile that failed raises here."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_compile, name="tsp-kernels-compile", daemon=True)
            _thread.start()
    done = _done.wait(None if timeout is None else max(timeout, 0.0))
    if _failure is not None:
        raise RuntimeError("compiling the TSP kernels failed") from _failure
    return done


def warm_up() -> None:
    """Compile every kernel now (or load it from numba's cache) and wait until it is done, so
    that no later run waits: `make` does it at install time."""
    ready(None)


def _compile() -> None:
    global _failure
    try:
        _call_every_kernel()
    except BaseException as exc:  # kept for `ready` to raise in the caller's thread
        _failure = exc
    finally:
        _done.set()


def _call_every_kernel() -> None:
    """Each kernel once on a tiny instance, with the solver's argument types."""
    from omnisolve.algorithms.tsp_construction import greedy_tour, nearest_neighbor_tour
    from omnisolve.algorithms.tsp_local_search import ils, local_search, new_search
    from omnisolve.algorithms.tsp_metric import matrix_metric, neighbor_lists, tour_length

    xy = np.random.default_rng(0).uniform(0, 1, size=(8, 2))
    m = matrix_metric(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)))
    neigh = neighbor_lists(m[0], 4)
    s = new_search(greedy_tour(m, neigh))
    local_search(m, neigh, s, -1, True)
    ils(m, neigh, s, np.array([tour_length(m, s[0])]), 2, 2, True, 0)
    nearest_neighbor_tour(m, 8, 0)
