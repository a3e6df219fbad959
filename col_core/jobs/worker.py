"""Workers: huey's consumer, as its own process (``col worker``) or inside the demo's server."""

from __future__ import annotations

import signal

from huey.consumer import Consumer


def _consumer(runner, threads: int, sweep: bool) -> Consumer:
    # A worker that has just started may have been killed while running jobs: they are found
    # by the sweep once their kind's lease has run out.
    # An idle worker asks a SQLite queue at least every 2 seconds (Redis wakes it at once).
    return runner.huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=sweep,
        max_delay=2.0,
        check_worker_health=True,
    )


def run_worker(runner, threads: int = 2, sweep: bool = True) -> None:
    """Run jobs until SIGINT (finishes the running jobs) or SIGTERM (stops at once)."""
    _consumer(runner, threads, sweep).run()


class InProcessWorker:
    """Worker threads inside another program (the demo's server), same code path as
    ``col worker``; the program keeps its own signal handling."""

    def __init__(self, runner, threads: int = 2):
        self.consumer = _consumer(runner, threads, sweep=True)

    def start(self) -> InProcessWorker:
        kept = {
            number: signal.getsignal(number)
            for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        self.consumer.start()  # also installs the consumer's own signal handlers...
        for number, handler in kept.items():  # ...which would leave the server deaf to them
            signal.signal(number, handler)
        return self

    def stop(self) -> None:
        """Let the running jobs finish, then stop."""
        self.consumer.stop(graceful=True)
