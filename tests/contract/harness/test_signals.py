"""Every process of the suite turns Ctrl-C, SIGTERM and SIGHUP into KeyboardInterrupt, whatever it inherited."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import pytest

from contract.harness import interrupt_on_termination, signals_deferred
from contract.harness.lifecycle._signals import _interrupt

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signal handlers live in the main thread"
)


@pytest.fixture(autouse=True)
def restored_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in STOPPING}
    yield
    for signum, handler in saved.items():
        if handler is not None:
            signal.signal(signum, handler)


@pytest.mark.parametrize("inherited", [signal.SIG_IGN, signal.SIG_DFL], ids=["ignored", "default"])
def test_ctrl_c_interrupts_whatever_the_process_inherited(inherited: signal.Handlers) -> None:
    # A shell starts a script's background jobs with SIGINT ignored, and Python then keeps it so.
    signal.signal(signal.SIGINT, inherited)

    interrupt_on_termination()

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_termination_takes_the_road_of_ctrl_c(signum: signal.Signals) -> None:
    signal.signal(signum, signal.SIG_IGN)

    interrupt_on_termination()

    assert signal.getsignal(signum) is _interrupt
    with pytest.raises(KeyboardInterrupt, match=signum.name):
        signal.raise_signal(signum)


def test_cleanup_is_not_cut_short_and_ctrl_c_works_again_after_it() -> None:
    interrupt_on_termination()

    with signals_deferred() as received:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGTERM)

    assert received == ["SIGINT", "SIGTERM"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is _interrupt
