"""Child processes, one way for every user (racers, bench runs, service jobs, PyVRP's seeds):
a `Task` of plain data submitted to an `Executor`, run in a fresh process group, talking the
one message schema of messages.py, ended by SIGTERM then SIGKILL after one grace, reaped
always, its ending said in words.

- `groups.py`: the parent's side of a process group: `kill_group`, `terminate`, `ending`.
- `messages.py`: the schema (`started`, `incumbent`, `log`, `result`, `error`), `Channel`
  (the child's writer), `decode` (the parent's reader).
- `broadcast.py`: a value the parent publishes to its running tasks (`Listener` reads it).
- `executor.py`: `Task`, `Outcome`, the `Executor` and `Handle` interfaces, `LocalExecutor`.
- `child.py`, `__main__.py`: the child's side: its limits and the call of the task's entry.
- `zygote.py`, `forked.py`: a process that has imported the solvers' libraries once and forks
  tasks' children from itself (they start in milliseconds), and the parent's side of it.
- `machine.py`: this process itself: the cores it may use, its own Ctrl-C remembered.
"""

from omnisolve.processes.broadcast import KEY as BROADCAST
from omnisolve.processes.broadcast import Broadcast, Listener
from omnisolve.processes.child import confine
from omnisolve.processes.executor import Executor, Handle, LocalExecutor, Outcome, Task, warm
from omnisolve.processes.groups import TERM_GRACE, ending, kill_group
from omnisolve.processes.machine import available_cores, catch_interrupts, interrupt_requested
from omnisolve.processes.messages import Channel, Kind, decode, encode

__all__ = [
    "BROADCAST",
    "Broadcast",
    "Listener",
    "TERM_GRACE",
    "Channel",
    "Executor",
    "Handle",
    "Kind",
    "LocalExecutor",
    "Outcome",
    "Task",
    "available_cores",
    "catch_interrupts",
    "confine",
    "decode",
    "encode",
    "ending",
    "interrupt_requested",
    "kill_group",
    "warm",
]
