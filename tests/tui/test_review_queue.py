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
