"""`manage.py ingest_email PATH ...`: import .eml files, mbox files and Maildir folders.

Mail goes through the same path as live mail (channels_in/email/store.py) in batches, in the order
of the source, so a reply threads onto the ticket of the mail it answers even within one batch.
Importing the same source again stores nothing new: every mail is a duplicate.
"""

import itertools
import mailbox
import re
import time
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from channels_in.email.store import IMPORTED, IngestSummary, ingest_raw_mails

Mail = tuple[bytes, str]  # raw mail, raw_ref


class Command(BaseCommand):
    help = "Import mail from .eml files, directories of them, mbox files and Maildir folders."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--batch", type=int, default=200, help="mails per transaction (default 200)")

    def handle(self, *args, paths: list[Path], batch: int, **options) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        sources = [_open_source(path) for path in paths]  # all checked before anything is stored
        total = sum(count for count, _ in sources)
        mails = itertools.chain.from_iterable(reader for _, reader in sources)
        summary = IngestSummary()
        start = time.perf_counter()
        while chunk := list(itertools.islice(mails, batch)):
            summary.add(ingest_raw_mails(chunk, arrival=IMPORTED))
            self._progress(summary.total, total, time.perf_counter() - start)
        if total:
            self.stderr.write("", style_func=str)  # end the progress line
        elapsed = time.perf_counter() - start
        rate = summary.total / elapsed if elapsed else 0.0
        self.stdout.write(
            f"{summary.total} mails in {elapsed:.1f} s ({rate:.0f} messages/s): "
            f"{summary.created} tickets created, {summary.followups} follow-ups, "
            f"{summary.duplicates} duplicates skipped, {summary.failed} stored as failed."
        )

    def _progress(self, done: int, total: int, elapsed: float) -> None:
        width = 30
        filled = width * done // total if total else width
        rate = done / elapsed if elapsed else 0.0
        bar = "#" * filled + "-" * (width - filled)
        # str: the default stderr style would colour the bar as an error on a terminal.
        self.stderr.write(f"\r[{bar}] {done}/{total} mails  {rate:.0f}/s", style_func=str, ending="")


def _open_source(path: Path) -> tuple[int, Iterator[Mail]]:
    """How many mails `path` holds, and a reader yielding them in the source's order."""
    if path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
        maildir = mailbox.Maildir(path, factory=None, create=False)
        # Maildir file names start with the delivery time ("<seconds>.M<microseconds>P<pid>..."):
        # their natural order (numbers compared as numbers) is the order of arrival.
        keys = sorted(maildir.keys(), key=_natural)
        return len(keys), ((maildir.get_bytes(key), f"{path}#{key}") for key in keys)
    if path.is_dir():
        files = sorted(file for file in path.rglob("*") if file.suffix.lower() == ".eml" and file.is_file())
        return len(files), ((file.read_bytes(), str(file)) for file in files)
    if not path.is_file():
        raise CommandError(f"{path}: no such file or directory.")
    with path.open("rb") as file:
        is_mbox = file.read(5) == b"From "
    if is_mbox:
        mbox = mailbox.mbox(path, factory=None, create=False)
        keys = list(mbox.keys())  # in file order
        return len(keys), ((mbox.get_bytes(key), f"{path}#{key}") for key in keys)
    return 1, iter([(path.read_bytes(), str(path))])


def _natural(name: str) -> list[int | str]:
    # re.split with a group alternates text and digits, so equal positions always hold equal types.
    return [int(part) if index % 2 else part for index, part in enumerate(re.split(r"(\d+)", name))]
