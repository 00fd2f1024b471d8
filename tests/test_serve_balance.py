"""Evening out the workers' load (matcher.serve.balance) and serving waiting briefs in order
(FairSlots): the board in a real file shared by real processes; the middleware with a fake app
(a unit test: the real server is in test_serve_workers)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from matcher.serve.balance import LoadBoard, ShedWhenBusy, new_board
from matcher.serve.routes import FairSlots


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_each_process_takes_its_own_slot_and_a_dead_ones_slot_is_taken_over(tmp_path: Path):
    path = new_board(tmp_path)
    gone = LoadBoard(path, pid=dead_pid())
    gone.add(7)  # a worker that died holding requests
    me = LoadBoard(path)
    assert me.slot == gone.slot  # its slot was free again
    other = LoadBoard(path, pid=1)  # a live process that is not this one
    assert other.slot != me.slot
    other.add(3)
    me.add(2)
    assert sorted(me.loads()) == [2, 3]
    assert me.loads()[0] == 2  # this process's own first
    other.close()
    assert me.loads() == [2]


@pytest.mark.parametrize(
    ("mine", "others", "busier"),
    [(19, [13], True), (18, [14], True), (17, [15], False), (16, [16], False),
     (3, [0], True), (2, [0], False), (5, [], False), (7, [2, 3], True), (5, [2, 5], False)],
)  # fmt: skip
def test_busier_means_more_than_an_even_share_plus_one(tmp_path, mine, others, busier):
    path = new_board(tmp_path)
    me = LoadBoard(path)
    for pid, n in zip((1, os.getppid())[: len(others)], others, strict=True):  # live, not us
        LoadBoard(path, pid=pid).add(n)
    me.add(mine)
    assert me.busier() is busier


def run_middleware(board: LoadBoard) -> list[dict]:
    sent: list[dict] = []
    before = board.held

    async def app(scope, receive, send):
        assert board.held == before + 1  # counted while the app runs
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"Connection", b"keep-alive")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    asyncio.run(ShedWhenBusy(app, board)({"type": "http"}, receive, send))
    assert board.held == before
    return sent


def test_a_busier_worker_answers_connection_close_and_an_even_one_keeps_the_connection(tmp_path):
    path = new_board(tmp_path)
    me, peer = LoadBoard(path), LoadBoard(path, pid=1)
    me.add(3)  # with this request 4 against 0: busier
    start = run_middleware(me)[0]
    assert start["headers"] == [(b"content-type", b"text/plain"), (b"connection", b"close")]
    peer.add(4)
    start = run_middleware(me)[0]
    assert (b"connection", b"close") not in start["headers"]


def test_waiting_threads_get_the_slots_in_the_order_they_came():
    slots = FairSlots(1)
    order: list[str] = []
    slots.__enter__()  # the slot is taken

    def waiter(name: str) -> None:
        with slots:
            order.append(name)
            time.sleep(0.02)

    threads = []
    for name in ("a", "b"):
        threads.append(threading.Thread(target=waiter, args=(name,)))
        threads[-1].start()
        while len(slots._waiting) < len(threads):  # noqa: SLF001 - wait until it queues
            time.sleep(0.001)
    slots.__exit__(None, None, None)
    with slots:  # a newcomer: after those already waiting, not before (threading.Semaphore)
        order.append("newcomer")
    for t in threads:
        t.join()
    assert order == ["a", "b", "newcomer"]


def test_more_slots_let_that_many_in_at_once():
    slots = FairSlots(2)
    inside, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with slots:
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2
