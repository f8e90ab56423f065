"""nnlib.torch.distributed: the launcher returns results, surfaces a worker's error, stops a
hung job, and leaves no process behind; DDP equals one process on the whole batches."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
import torch
import torch.distributed as dist

from nnlib.torch import ddp_demo
from nnlib.torch.distributed import free_port, launch


def fail_on_rank_one(rank, world_size):
    """Rank 1 raises at once; rank 0 waits in a collective that can never complete."""
    if rank == 1:
        raise ValueError("rank one is broken")
    dist.barrier()
    return rank


def sleep_forever(rank, world_size):
    time.sleep(600)


def _no_children_left():
    assert multiprocessing.active_children() == []


def test_free_port_is_bindable():
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_launch_returns_each_ranks_result():
    before = {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "MASTER_PORT")}
    results = launch(ddp_demo.all_reduce_demo, world_size=2, timeout=120)
    assert [r["before"] for r in results] == [1.0, 2.0]
    assert [r["after"] for r in results] == [3.0, 3.0]
    _no_children_left()
    assert {k: os.environ.get(k) for k in before} == before  # set in the workers only


def test_worker_exception_is_raised_and_nothing_is_left(capfd):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="rank 1 failed(.|\n)*rank one is broken"):
        launch(fail_on_rank_one, world_size=2, timeout=120)
    assert time.monotonic() - start < 100  # raised on the error, not at the timeout
    _no_children_left()


def test_hung_worker_times_out_and_is_killed():
    with pytest.raises(TimeoutError, match="did not finish"):
        launch(sleep_forever, world_size=2, timeout=3)
    _no_children_left()


def test_launch_rejects_what_spawn_cannot_import():
    def local(rank, world_size):
        return rank

    with pytest.raises(ValueError, match="cannot import"):
        launch(local)
    with pytest.raises(ValueError, match="world_size"):
        launch(ddp_demo.all_reduce_demo, world_size=0)
    with pytest.raises(TypeError):
        launch("not a function")


def test_ddp_equals_one_process_on_the_concatenated_batches():
    X, y = ddp_demo.digits_data()
    ddp = launch(ddp_demo.train_ddp, world_size=2, args=(X, y, 5, 32), timeout=120)
    single = ddp_demo.train_single(X, y, 5, 32)
    assert ddp_demo.max_difference(ddp[0], single) < 1e-12
    assert ddp_demo.max_difference(ddp[0], ddp[1]) == 0.0
    # each rank's loss is on its half; their mean is the whole batch's loss
    assert torch.allclose((ddp[0]["losses"] + ddp[1]["losses"]) / 2, single["losses"])


def test_hand_written_all_reduce_matches_in_one_process_group():
    X, y = ddp_demo.digits_data()
    single = ddp_demo.train_single(X, y, 3, 16)
    store = dist.HashStore()
    dist.init_process_group("gloo", store=store, rank=0, world_size=1)
    try:
        alone = ddp_demo.train_allreduce(0, 1, X, y, 3, 16)
    finally:
        dist.destroy_process_group()
    assert ddp_demo.max_difference(alone, single) < 1e-12


def test_shard_needs_equal_parts():
    batch = (torch.zeros(5, 64), torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match="does not split"):
        ddp_demo._shard(batch, 0, 2)


def test_torchrun_failure_is_an_error():
    from nnlib.torch.distributed import torchrun

    with pytest.raises(RuntimeError, match="failed"):
        torchrun("nnlib.torch.no_such_module", nproc_per_node=1, timeout=120)
    with pytest.raises(ValueError, match="nproc_per_node"):
        torchrun("nnlib.torch.ddp_demo", nproc_per_node=0)


def test_error_message_names_the_cause_first():
    from nnlib.torch.distributed import _error_message

    broken = "RuntimeError: [gloo/transport/tcp/pair.cc] Read error: Connection reset by peer"
    message = _error_message({0: broken, 1: "ValueError: rank one is broken"})
    assert message.startswith("launch: worker rank 1 failed")
    assert "ranks [0] failed too" in message
    assert _error_message({2: "ValueError: x"}) == "launch: worker rank 2 failed:\nValueError: x"
