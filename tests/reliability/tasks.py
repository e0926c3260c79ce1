"""A task for the redelivery test: records each start, then works long enough to be killed."""

import time
from pathlib import Path

from celery import shared_task


@shared_task
def slow_job_task(workdir: str, seconds: float) -> None:
    starts = Path(workdir) / "starts"
    with starts.open("a") as fh:
        fh.write("start\n")
    time.sleep(seconds)
    (Path(workdir) / "done").write_text("done")
