"""The one progress bar (rich), on standard error, silent when that is not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressBar:
    """A counter with a bar: ``with ProgressBar("ingest", total=None) as bar: bar.update(1)``."""

    def __init__(self, description: str, total: int | None = None, enabled: bool = True) -> None:
        console = Console(file=sys.stderr)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled or not console.is_terminal,
            transient=True,
        )
        self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def update(self, advance: int = 1) -> None:
        self._progress.advance(self._task, advance)

    def close(self) -> None:
        self._progress.stop()
