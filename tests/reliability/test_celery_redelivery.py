"""A worker killed mid-task loses nothing: the task is redelivered to the next worker.

This is what task_acks_late + task_reject_on_worker_lost + a short Redis visibility_timeout buy
(helpdesk/settings/celery.py); with Celery's defaults the killed task is acknowledged already and
lost. Needs Redis (CI has it); uses a real `celery worker` process.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (set REDIS_URL)")
ROOT = Path(__file__).resolve().parents[2]


def _broker(db: int) -> str:
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    return f"{base}/{db}"


def _worker(broker: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "SECRET_KEY": "redelivery-test-secret-key-0123456789abcdefghijklmnop",
        "DATABASE_URL": "sqlite://:memory:",
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_RESTORE_INTERVAL": "1",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "helpdesk",
        "worker",
        "--pool",
        "solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-I",
        "tests.reliability.tasks",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_task_of_a_killed_worker_is_redelivered_and_completed(tmp_path):
    import redis
    from celery import Celery

    broker = _broker(13)
    redis.Redis.from_url(broker).flushdb()
    client = Celery("helpdesk", broker=broker)
    client.conf.broker_transport_options = {"visibility_timeout": 3}
    client.conf.task_acks_late = True

    first = _worker(broker)
    try:
        client.send_task("tests.reliability.tasks.slow_job_task", args=[str(tmp_path), 4])
        assert _wait_for(lambda: (tmp_path / "starts").exists(), 30), "the first worker never started the task"
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-task, unacknowledged
        first.wait(10)
        assert not (tmp_path / "done").exists()

        second = _worker(broker)
        try:
            assert _wait_for(lambda: (tmp_path / "done").exists(), 45), "the task was lost with the killed worker"
        finally:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert (tmp_path / "starts").read_text().count("start") == 2
