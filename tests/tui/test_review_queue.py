"""The review queue computed headless: each change by others is diffed against the version
just before it, whoever wrote that one, and the reviewer's own versions are left out."""

from __future__ import annotations

from typing import Any

from vault import demo, review


def body(diff: str) -> str:
    """A unified diff without its `---`/`+++` lines (they name commits, not content)."""
    return "".join(line for line in diff.splitlines(keepends=True)[2:])


def test_each_change_is_diffed_against_the_version_before_it(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    ib = kit.open_as(demo_vault, demo.IB.id)
    review.mark_reviewed(ib, review.head(ib) or "", kit.today)
    teacher = kit.open_as(demo_vault, "lk-groep1")
    pupil = teacher.list_pupils()[0]
    first = teacher.put(pupil.id, teacher.show(pupil.id) + "# eerste\n", today=kit.today)
    ib = kit.open_as(demo_vault, demo.IB.id)
    ib.put(pupil.id, ib.show(pupil.id) + "# van de ib-er\n", today=kit.today)
    second = teacher.put(pupil.id, teacher.show(pupil.id) + "# tweede\n", today=kit.today)

    queue = review.changes_since_review(ib)

    assert [p.pupil_id for p in queue] == [pupil.id]
    changes = queue[0].changes
    assert [c.commit for c in changes] == [first.commit, second.commit]
    assert all(c.author_id == "lk-groep1" and c.signature == "goed" for c in changes)
    for change in changes:
        assert body(change.diff) == body(ib.diff(pupil.id, None, change.commit))
    assert "+# tweede" in changes[1].diff and "+# van de ib-er" not in changes[1].diff
    assert review.pending_count(ib) == 1


def test_one_pupil_can_be_marked_and_its_later_changes_come_back(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    ib = kit.open_as(demo_vault, demo.IB.id)
    queue = review.changes_since_review(ib)
    assert len(queue) >= 2
    first, rest = queue[0], queue[1:]
    before = ib.history(max_count=1)[0].sha

    review.mark_pupil_reviewed(ib, first.pupil_id, review.head(ib) or "", kit.today)

    ib = kit.open_as(demo_vault, demo.IB.id)
    newest = ib.history(max_count=2)
    assert newest[1].sha == before and newest[0].paths == (review.review_path(demo.IB.id),)
    assert "ll-" not in newest[0].message  # no pupil in the message
    assert ib.verify() == []
    assert [p.pupil_id for p in review.changes_since_review(ib)] == [p.pupil_id for p in rest]
    assert review.pending_count(ib) == len(rest)
    assert review.pupil_marks(ib) == {first.pupil_id: newest[1].sha}
    # A later change by a teacher to that pupil is in the queue again, and only that one.
    author = first.changes[0].author_id
    teacher = kit.open_as(demo_vault, author)
    saved = teacher.put(first.pupil_id, teacher.show(first.pupil_id) + "# later\n", today=kit.today)
    ib = kit.open_as(demo_vault, demo.IB.id)
    again = {p.pupil_id: p for p in review.changes_since_review(ib)}
    assert [c.commit for c in again[first.pupil_id].changes] == [saved.commit]
    assert review.pending_count(ib) == len(rest) + 1
    # Marking everything drops the single marks: the queue is empty.
    review.mark_reviewed(ib, review.head(ib) or "", kit.today)
    ib = kit.open_as(demo_vault, demo.IB.id)
    assert review.changes_since_review(ib) == [] and review.pending_count(ib) == 0
    assert review.pupil_marks(ib) == {}


def test_a_change_carries_its_override_reason_and_message(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    ib = kit.open_as(demo_vault, demo.IB.id)
    review.mark_reviewed(ib, review.head(ib) or "", kit.today)
    teacher = kit.open_as(demo_vault, "lk-groep1")
    pupils = teacher.list_pupils()
    pupil = next((p for p in pupils if p.tussenvoegsel), pupils[0])
    teacher.put(pupil.id, teacher.show(pupil.id) + "# x\n", override="Plan volgt", today=kit.today)
    teacher.put(pupil.id, teacher.show(pupil.id) + "# y\n", today=kit.today)
    ib = kit.open_as(demo_vault, demo.IB.id)
    changes = review.changes_since_review(ib)[0].changes
    assert [c.override for c in changes] == ["Plan volgt", None]
    assert all(c.message.startswith(f"Dossier {pupil.id}") for c in changes)
    name = " ".join(p for p in (pupil.voornaam, pupil.tussenvoegsel, pupil.achternaam) if p)
    assert review.changes_since_review(ib)[0].naam == name
