"""One notification line above the footer instead of toasts over the panes, and `n` to read
every notice of the session back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from textual.widgets._toast import Toast, ToastRack

from canary_tui.ui.notices import Notice, NoticeLog
from canary_tui.ui.screens.messages import MessagesScreen
from canary_tui.ui.widgets.notice_line import NoticeLine
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for
from tests.ui.test_ecosystem import make_app


def test_the_log_keeps_order_and_a_bound() -> None:
    log = NoticeLog(kept=3)
    at = datetime(2026, 12, 3, tzinfo=UTC)
    for index in range(5):
        log.add(Notice(at, "information", "", f"n{index}\nsecond line", 5))
    assert [n.message.split()[0] for n in log.all()] == ["n2", "n3", "n4"]
    assert log.added == 5
    latest = log.latest()
    assert latest is not None and latest.one_line() == "n4 second line"


async def test_a_notice_takes_the_line_and_no_toast_covers_the_variants() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await refresh_and_settle(pilot)
        line = console(app).query_one(NoticeLine)
        variants_region = console(app).query_one("#variants").region
        app.notify("A change is still being sent; wait.", title="Refused", severity="warning")
        await pilot.pause()
        assert "Refused: A change is still being sent; wait." in static_text(line)
        assert line.has_class("-fresh") and line.has_class("-warning")
        assert not line.region.overlaps(variants_region)
        rack = console(app).query_one(ToastRack)
        await wait_for(pilot, lambda: bool(rack.query(Toast)), "Textual's toast (kept)")
        assert all(not toast.display for toast in rack.query(Toast))
        assert all(toast.region.area == 0 for toast in rack.query(Toast))
        # The notice line shows the latest one and how many there are.
        app.notify("second", markup=False)
        app.notify("[b]third[/b]")
        await pilot.pause()
        text = static_text(line)
        assert "third" in text and "[b]" not in text and "n: all 3" in text


async def test_a_notice_from_a_worker_thread_reaches_the_line() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        thread = threading.Thread(target=app.notify, args=("from a thread",))
        thread.start()
        thread.join()
        line = console(app).query_one(NoticeLine)
        await wait_for(pilot, lambda: "from a thread" in static_text(line), "the notice")


async def test_n_lists_every_notice_oldest_first_and_esc_closes() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        for word in ["first", "second", "third"]:
            app.notify(word, severity="error" if word == "second" else "information")
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), "the messages")
        text = static_text(app.screen.query_one("#messages-text"))
        assert text.index("first") < text.index("second") < text.index("third")
        assert "x second" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessagesScreen), "closed")
        await pilot.press("colon", *"messages", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), ":messages")
