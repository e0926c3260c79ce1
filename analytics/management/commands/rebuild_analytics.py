"""`manage.py rebuild_analytics [--days 400]`: recompute every ticket's metrics, then the daily roll-up.

Run it once when analytics is installed on a helpdesk with history (the minute job would otherwise
work through the whole timeline), and after changing business hours. Safe beside the running jobs:
each batch takes the same locks they do, and the cursor moves past the events rebuilt here.
"""

import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from analytics.metrics import rebuild_metrics
from analytics.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "Recompute ticket metrics and the daily roll-up of the last --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=400, help="days of roll-up to rewrite (default 400)")
        parser.add_argument("--batch", type=int, default=2000, help="tickets per transaction (default 2000)")

    def handle(self, *args, days: int, batch: int, **options) -> None:
        if days < 1 or batch < 1:
            raise CommandError("--days and --batch must be at least 1.")
        start = time.perf_counter()
        tickets = self._follow(rebuild_metrics(batch=batch), "tickets")
        metrics_done = time.perf_counter()
        self._follow(rebuild_rollups(days=days), "days")
        self.stdout.write(
            f"{tickets} tickets in {metrics_done - start:.1f} s, "
            f"{days} days of roll-up in {time.perf_counter() - metrics_done:.1f} s."
        )

    def _follow(self, steps: Iterator[tuple[int, int]], unit: str) -> int:
        done = 0
        begin = time.perf_counter()
        for done, total in steps:
            self._progress(done, total, unit, time.perf_counter() - begin)
        self.stderr.write("", style_func=str)  # end the progress line
        return done

    def _progress(self, done: int, total: int, unit: str, elapsed: float) -> None:
        width = 30
        filled = width * done // total if total else width
        rate = done / elapsed if elapsed else 0.0
        bar = "#" * filled + "-" * (width - filled)
        # str: the default stderr style would colour the bar as an error on a terminal.
        self.stderr.write(f"\r[{bar}] {done}/{total} {unit}  {rate:.0f}/s", style_func=str, ending="")
