"""Start a small ``torch.distributed`` job on this machine, from a notebook or a test.

Taught in: Chapter 7, Frontiers (distributed data-parallel training).

- :func:`launch` runs ``worker_fn(rank, world_size, *args)`` in ``world_size`` new Python
  processes joined in one process group (gloo backend, on 127.0.0.1, at a free port), and
  returns each rank's result. A worker's exception is raised in the caller with the worker's
  traceback; a worker that hangs is killed after ``timeout`` seconds. Whatever happens, no
  child process is left behind.
- :func:`torchrun` runs a module under PyTorch's own launcher, ``torchrun``
  (``python -m torch.distributed.run``), the way a script is run on a cluster, and returns
  its output; it too kills everything it started if it fails or runs too long.
- :func:`free_port` finds a TCP port that nothing listens on.

The processes are started with the ``spawn`` method: each is a fresh interpreter that
imports ``worker_fn`` by name, so the function must live in a module (as those of
:mod:`nnlib.torch.ddp_demo` do), not in a notebook cell. That is also what makes it work in
Jupyter, Colab and Binder, and on macOS and Windows, where ``fork`` is unsafe or missing.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import queue as queue_module
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta

__all__ = ["free_port", "launch", "torchrun"]

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that is free now (the operating system picks it).

    Taught in: Chapter 7, Frontiers. Another program could take it before it is used; for
    a job started right away on this machine that is very unlikely.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _child(worker_fn, rank, world_size, port, args, results, timeout, backend):
    """What each spawned process runs: join the group, call the worker, report back."""
    try:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(1)  # two processes on two cores: one thread each
        os.environ.update(
            MASTER_ADDR=HOST, MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world_size)
        )
        dist.init_process_group(
            backend,
            init_method=f"tcp://{HOST}:{port}",
            rank=rank,
            world_size=world_size,
            timeout=timedelta(seconds=timeout),
        )
        try:
            result = worker_fn(rank, world_size, *args)
            buffer = io.BytesIO()
            torch.save(result, buffer)  # tensors, numbers, lists, dicts: no pickled code
            results.put((rank, "ok", buffer.getvalue()))
        except BaseException:  # report first: leaving the group breaks the others' waits
            results.put((rank, "error", traceback.format_exc()))
            time.sleep(0.5)  # let the report leave before the connections close
        finally:
            dist.destroy_process_group()
    except BaseException:  # joining failed (or leaving did): report it, then exit
        results.put((rank, "error", traceback.format_exc()))


#: Phrases of errors that a rank gets when *another* rank has died (a broken connection).
_SECONDARY = ("Connection reset by peer", "Connection closed by peer", "gloo/transport")


def _error_message(errors: dict[int, str]) -> str:
    """One message for the failed ranks, the likely cause (not a broken connection) first."""
    order = sorted(errors, key=lambda r: (any(m in errors[r] for m in _SECONDARY), r))
    first, *others = order
    message = f"launch: worker rank {first} failed:\n{errors[first]}"
    if others:
        message += f"\n(ranks {others} failed too, probably as a consequence)"
    return message


def _stop(processes) -> None:
    """Terminate, then kill, every process that is still running, and reap them all."""
    for p in processes:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 3.0
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def launch(
    worker_fn: Callable,
    world_size: int = 2,
    args: Sequence = (),
    timeout: float = 60.0,
    backend: str = "gloo",
) -> list:
    """Run ``worker_fn(rank, world_size, *args)`` in ``world_size`` processes; return results.

    Taught in: Chapter 7, Frontiers (distributed data-parallel training).

    Each process is started with ``spawn``, sets torch to one thread, joins the process
    group (``torch.distributed.init_process_group`` with ``backend`` at
    ``tcp://127.0.0.1:<free port>``), calls the worker and leaves the group. The worker may
    use every collective of ``torch.distributed`` (``all_reduce``, ``broadcast``, ...) and
    ``DistributedDataParallel``.

    Parameters
    ----------
    worker_fn : callable
        A function defined at the top level of an importable module (not in a notebook),
        called as ``worker_fn(rank, world_size, *args)``. Its return value must be what
        ``torch.load(..., weights_only=True)`` accepts: tensors, numbers, strings, and
        lists, tuples and dicts of them.
    world_size : int, default 2
        Number of processes.
    args : sequence
        Further arguments, passed to every worker (they must be picklable).
    timeout : float, default 60
        Seconds for the whole job, start-up included.
    backend : str, default "gloo"
        The ``torch.distributed`` backend ("gloo" runs on CPUs).

    Returns
    -------
    list
        The workers' return values, indexed by rank.

    Raises
    ------
    RuntimeError
        If a worker raised (the message holds its traceback) or died without reporting.
    TimeoutError
        If the job did not finish within ``timeout`` seconds.
    """
    if not callable(worker_fn):
        raise TypeError(f"launch: worker_fn must be callable, got {type(worker_fn).__name__}")
    qualname = getattr(worker_fn, "__qualname__", "")
    if getattr(worker_fn, "__module__", None) == "__main__" or "<locals>" in qualname:
        raise ValueError(
            f"launch: {qualname or worker_fn!r} is defined in a notebook, a script's __main__ "
            "or inside a function; spawned processes cannot import it. Define it at the top "
            "level of a module (for example in nnlib.torch.ddp_demo) and import it."
        )
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"launch: world_size must be a positive int, got {world_size!r}")
    if not timeout > 0:
        raise ValueError(f"launch: timeout must be positive, got {timeout!r}")
    import torch

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    port = free_port()
    processes = [
        ctx.Process(
            target=_child,
            args=(worker_fn, rank, world_size, port, tuple(args), results, timeout, backend),
            daemon=True,  # also ended if this (parent) process exits
        )
        for rank in range(world_size)
    ]
    outputs: dict[int, object] = {}
    errors: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    grace_end = float("inf")  # set when the first error arrives
    try:
        for p in processes:
            p.start()
        while len(outputs) + len(errors) < world_size:
            if errors and time.monotonic() > grace_end:
                break  # the other ranks are probably stuck waiting for the failed one
            try:
                rank, status, payload = results.get(timeout=0.1)
            except queue_module.Empty:
                if errors:
                    continue
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"launch: the workers did not finish within {timeout} s; "
                        f"ranks {sorted(set(range(world_size)) - set(outputs))} were still "
                        "running and have been stopped"
                    ) from None
                dead = [
                    r
                    for r, p in enumerate(processes)
                    if r not in outputs and p.exitcode is not None
                ]
                if dead and results.empty():
                    time.sleep(0.2)  # a report may still be on its way through the queue
                    if results.empty():
                        codes = {r: processes[r].exitcode for r in dead}
                        raise RuntimeError(
                            f"launch: worker rank(s) {dead} died without reporting "
                            f"(exit codes {codes})"
                        ) from None
                continue
            if status == "error":
                if not errors:  # wait a moment for the others' reports: which failed first?
                    grace_end = time.monotonic() + 2.0
                errors[rank] = payload
            else:
                outputs[rank] = torch.load(io.BytesIO(payload), weights_only=True)
        if errors:
            raise RuntimeError(_error_message(errors))
    finally:
        _stop(processes)
        results.close()
        results.join_thread()
    return [outputs[rank] for rank in range(world_size)]


def torchrun(
    module: str,
    nproc_per_node: int = 2,
    args: Sequence[str] = (),
    timeout: float = 120.0,
) -> str:
    """Run ``python -m torch.distributed.run ... -m module`` on this machine; return its output.

    Taught in: Chapter 7, Frontiers. This is ``torchrun`` (the same program under another
    name) with a c10d rendezvous at ``127.0.0.1:<free port>`` and one thread per process::

        torchrun --nnodes=1 --nproc-per-node=2 --rdzv-backend=c10d \\
                 --rdzv-endpoint=127.0.0.1:PORT -m MODULE ARGS...

    Parameters
    ----------
    module : str
        A module with a ``__main__`` block that reads ``RANK`` and ``WORLD_SIZE`` from the
        environment, such as ``"nnlib.torch.ddp_demo"``.
    nproc_per_node : int, default 2
    args : sequence of str
        Arguments for the module.
    timeout : float, default 120
        Seconds; after that the launcher and its workers are killed.

    Returns
    -------
    str
        What the workers printed to standard output.

    Raises
    ------
    RuntimeError
        If the job failed (the message holds its standard error).
    TimeoutError
        If it ran longer than ``timeout``.
    """
    if isinstance(nproc_per_node, bool) or not isinstance(nproc_per_node, int):
        raise ValueError(f"torchrun: nproc_per_node must be an int, got {nproc_per_node!r}")
    if nproc_per_node < 1:
        raise ValueError(f"torchrun: nproc_per_node must be positive, got {nproc_per_node}")
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        f"--nproc-per-node={nproc_per_node}",
        "--rdzv-backend=c10d",
        f"--rdzv-endpoint={HOST}:{free_port()}",
        "-m",
        module,
        *map(str, args),
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    # A new session: on failure or timeout the whole group (launcher and workers) is killed.
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"torchrun: {module} did not finish within {timeout} s") from None
    finally:  # the workers may outlive the launcher: end the whole group, whatever happened
        if hasattr(os, "killpg"):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # the group has already ended
        else:  # pragma: no cover (Windows has no process groups)
            proc.kill()
        proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"torchrun: {module} failed (exit code {proc.returncode}):\n{err}")
    return out
