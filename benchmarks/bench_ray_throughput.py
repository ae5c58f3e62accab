"""Throughput of `omnisolve bench` on this machine's executor and on a Ray cluster of 1 and 2
worker nodes: runs per minute and the per-run overhead, for BENCHMARKS.md.

Each configuration runs the same suite (every instance x solver x repeat, one thread per run)
with the bench harness (`bench.runner.run_suite`), in a process of its own:

- `local`: `LocalExecutor`, `--node-cpus` runs at once;
- `N` (1, 2, ...): a Ray cluster on this machine (tests/ray_cluster.py, all on 127.0.0.1): a
  head with no CPUs, so that only worker nodes run tasks, and N worker nodes of `--node-cpus`
  CPUs each; N x `--node-cpus` runs at once.

Per run, the parent's seconds from submitting the task to its outcome are set against the
worker's own measured work (load time + solve time + cross-check): the difference is the run's
overhead (submitting it, starting its process, importing, and on Ray placing the actor on a node
and starting its worker). Runs per minute = runs / wall time x 60. The work's distribution (mean,
median, 90th percentile, and the median per instance/solver in the JSON) is printed too, for a
scaling estimate: with W the mean work, O the mean overhead and C runs at once, throughput ~=
60 x C / (W + O) runs per minute while the parent keeps up (a 32-node estimate puts C = 32 x
cores per node). Whether it keeps up: the parent's CPU seconds (all its threads, Ray's own
included) per run and per second of a run in flight; and, fitted over the runs, the CPU of the
thread driving a run = `dispatch_ms` per run + `poll_cpu_per_run_second` x its seconds (it polls
each running task). The parent saturates a core at about 1 / `parent_cpu_per_run_second` runs
at once.

On one machine the worker nodes share its cores, so 2 nodes measure Ray's scheduling and
overhead, not a second machine's speed; run it on a quiet machine (`uptime` is printed).

    .venv/bin/python benchmarks/bench_ray_throughput.py [--suite DIR] [--solvers cpsat,highs]
        [--time-limit 10] [--repeats 3] [--node-cpus 2] [--configs local,1,2] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # ray_cluster.py: a local cluster, all on 127.0.0.1


class Timed:
    """An executor that notes, per task, the seconds from its submission until its outcome was
    complete (its process ended), and the CPU seconds the parent's thread driving it spent in
    that time (submitting, polling), by the task's (path, solver, seed)."""

    def __init__(self, executor: Any):
        self.executor = executor
        self.seconds: dict[tuple[str, str, int], float] = {}
        self.cpu: dict[tuple[str, str, int], float] = {}

    def cores(self) -> int:
        return self.executor.cores()

    def submit(self, task: Any) -> Any:
        # before `submit`: its own cost (on Ray: shipping the files) is overhead too; the
        # bench's thread that submits the task polls it until it ends
        start, cpu = time.monotonic(), time.thread_time()
        handle = self.executor.submit(task)
        key = (task.spec["path"], task.spec["solver"], task.spec["seed"])
        poll, wait = handle.poll, handle.wait

        def ended(outcome: Any) -> Any:
            if outcome is not None and outcome.returncode is not None:
                self.cpu.setdefault(key, time.thread_time() - cpu)
                self.seconds.setdefault(key, time.monotonic() - start)
            return outcome

        handle.poll = lambda: ended(poll())
        handle.wait = lambda timeout=None: ended(wait(timeout))
        return handle


def one(config: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run the suite on `config` ("local" or a number of worker nodes); its measurements."""
    from omnisolve.processes import Executor, LocalExecutor

    with contextlib.ExitStack() as stack:
        executor: Executor = LocalExecutor()
        if config != "local":
            from omnisolve.processes.cluster import RayExecutor
            from ray_cluster import LocalCluster

            cluster = stack.enter_context(LocalCluster(head_cpus=0))
            for _ in range(int(config)):
                cluster.add_node(cpus=args.node_cpus)
            executor = RayExecutor(cluster.address)
        return measure(config, executor, args)


def measure(config: str, executor: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Wall time, runs per minute, per-run overhead and the work's distribution of one suite run."""
    from omnisolve.bench.runner import Settings, run_suite, solver_spec
    from omnisolve.bench.suites import load_suite

    suite = load_suite(str(args.suite))
    paths = {inst.name: str(inst.path) for inst in suite.instances}
    timed = Timed(executor)
    jobs = args.node_cpus * (1 if config == "local" else int(config))
    settings = Settings(time_limit=args.time_limit, threads=1, repeats=args.repeats, jobs=jobs, executor=timed)
    start, cpu = time.monotonic(), time.process_time()
    runs = run_suite(suite.instances, args.solvers.split(","), settings)
    wall, cpu = time.monotonic() - start, time.process_time() - cpu
    work: dict[tuple[str, str, int], float] = {}  # by the key `Timed` notes
    labels: dict[str, list[float]] = {}  # by instance/solver
    for r in runs:
        seconds = (r.load_time or 0.0) + r.runtime + r.check_time
        work[paths[r.instance], solver_spec(r.solver, 1)[0], r.seed] = seconds
        labels.setdefault(f"{r.instance}/{r.solver}", []).append(seconds)
    by_run = {label: round(statistics.median(seconds), 3) for label, seconds in labels.items()}
    overhead = [timed.seconds[key] - seconds for key, seconds in work.items() if key in timed.seconds]
    done = sorted(work.values())
    keys = list(timed.cpu)  # per run, the driving thread's CPU = dispatch + polling x its seconds
    fit = statistics.linear_regression([timed.seconds[k] for k in keys], [timed.cpu[k] for k in keys])
    return {
        "config": config,
        "runs": len(runs),
        "errors": sum(r.status == "error" for r in runs),
        "runs_at_once": jobs,
        "wall_s": round(wall, 2),
        "runs_per_minute": round(60 * len(runs) / wall, 1),
        "overhead_ms_mean": round(1000 * statistics.mean(overhead), 1),
        "overhead_ms_median": round(1000 * statistics.median(overhead), 1),
        "work_s_mean": round(statistics.mean(done), 3),
        "work_s_median": round(statistics.median(done), 3),
        "work_s_p90": round(done[math.ceil(0.9 * len(done)) - 1], 3),  # nearest rank
        "parent_cpu_ms_per_run": round(1000 * cpu / len(runs), 1),
        "parent_cpu_per_run_second": round(cpu / sum(timed.seconds.values()), 4),
        "dispatch_ms": round(1000 * fit.intercept, 1),
        "poll_cpu_per_run_second": round(fit.slope, 4),
        "work_s_median_by_run": by_run,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--suite", type=Path, default=ROOT / "src" / "omnisolve" / "data", help="a folder with optima.csv"
    )
    parser.add_argument("--solvers", default="cpsat,highs")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--node-cpus", type=int, default=2, help="CPUs of each Ray worker node, and local runs at once")
    parser.add_argument("--configs", default="local,1,2", help="local and/or numbers of Ray worker nodes")
    parser.add_argument("--out", type=Path, help="write the measurements as JSON here too")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one configuration in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args)))
        return
    print(f"load: {os.getloadavg()}, cores: {os.cpu_count()}", file=sys.stderr)
    results = []
    for config in args.configs.split(","):
        command = [sys.executable, __file__, *sys.argv[1:], "--one", config]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr)
    columns = [key for key, value in results[0].items() if not isinstance(value, dict)]
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in results:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
