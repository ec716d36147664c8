"""Plumbing for long operations: stored progress that the web page polls and the CLI prints.

A job body receives a ``Progress`` and calls ``progress.advance(n)``; from the web it runs in
the worker (``jumin worker``) as a django-tasks task, from the CLI in-process with a tqdm bar.
Progress writes are throttled so a million-row job does not write a million times.
"""

import time

from django.utils import timezone

from jumin.core.models import JobRun, JobStatus


class Progress:
    def __init__(self, run: JobRun, *, bar=None, min_interval: float = 0.5):
        self.run = run
        self.bar = bar
        self.min_interval = min_interval
        self._last_write = 0.0

    def start(self, total: int = 0, stage: str = "") -> None:
        self.run.total = total
        self.run.done = 0
        self.run.stage = stage
        self.run.status = JobStatus.RUNNING
        self.run.started_at = self.run.started_at or timezone.now()
        self._save(force=True)
        if self.bar is not None:
            self.bar.reset(total=total or None)
            if stage:
                self.bar.set_description(stage)

    def advance(self, count: int = 1) -> None:
        self.run.done += count
        if self.bar is not None:
            self.bar.update(count)
        self._save()

    def finish(self, result: dict, message: str = "") -> None:
        self.run.status = JobStatus.DONE
        self.run.result = result
        self.run.message = message
        self.run.finished_at = timezone.now()
        if self.run.total:
            self.run.done = self.run.total
        self._save(force=True)
        if self.bar is not None:
            self.bar.close()

    def fail(self, message: str) -> None:
        self.run.status = JobStatus.FAILED
        self.run.message = message
        self.run.finished_at = timezone.now()
        self._save(force=True)
        if self.bar is not None:
            self.bar.close()

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        self._last_write = now
        JobRun.objects.filter(pk=self.run.pk).update(
            total=self.run.total,
            done=self.run.done,
            stage=self.run.stage,
            status=self.run.status,
            started_at=self.run.started_at,
            finished_at=self.run.finished_at,
            message=self.run.message,
            result=self.run.result,
        )


def cli_progress(run: JobRun, *, disable: bool = False) -> Progress:
    from tqdm import tqdm

    return Progress(run, bar=tqdm(total=0, unit="行", disable=disable), min_interval=1.0)
