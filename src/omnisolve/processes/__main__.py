"""A task's child process: `python -m omnisolve.processes TASK.json FD PARENT`, started by
`LocalHandle`. It ends when PARENT (the pid that started it) is gone, limits its memory as the
task says, runs the task's entry and writes its messages to the inherited pipe FD."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from omnisolve.processes.child import die_with_parent, limit_memory, run
from omnisolve.processes.executor import Task
from omnisolve.processes.messages import Channel


def main(argv: list[str]) -> int:
    task_file, fd, parent = argv
    channel = Channel(os.fdopen(int(fd), "w", encoding="utf-8"))
    die_with_parent(int(parent))
    task = Task.from_dict(json.loads(Path(task_file).read_text()))
    limit_memory(task.memory_mb)
    code = run(task, channel)
    channel.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
