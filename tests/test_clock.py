from fieldvisit.core.clock import HybridClock, Stamp, is_stamp
from fieldvisit.core.ids import new_id

DEVICE = new_id()


def test_stamps_sort_as_strings_in_issue_order(wall):
    clock = HybridClock(DEVICE, wall=wall)
    stamps = []
    for step in (0, 0, 5, 0, 1000):
        wall.ms += step
        stamps.append(clock.now())
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert all(is_stamp(stamp) for stamp in stamps)


def test_clock_never_goes_back_when_the_wall_clock_does(wall):
    clock = HybridClock(DEVICE, wall=wall)
    before = clock.now()
    wall.ms -= 3_600_000  # the laptop's clock is set back an hour
    after = [clock.now() for _ in range(3)]
    assert all(stamp > before for stamp in after)
    assert after == sorted(after)
    assert Stamp.parse(after[0]).wall_ms == Stamp.parse(before).wall_ms


def test_clock_resumes_from_the_persisted_stamp(wall):
    first = HybridClock(DEVICE, wall=wall)
    last = first.now()
    wall.ms -= 10_000
    restarted = HybridClock(DEVICE, last=first.last, wall=wall)
    assert restarted.now() > last


def test_observed_remote_stamps_are_passed(wall):
    clock = HybridClock(DEVICE, wall=wall)
    remote = str(Stamp(wall.ms + 60_000, 7, new_id()))
    clock.observe(remote)
    assert clock.now() > remote


def test_counter_overflow_moves_to_the_next_millisecond(wall):
    clock = HybridClock(DEVICE, last=str(Stamp(wall.ms, 0xFFFF, DEVICE)), wall=wall)
    stamp = Stamp.parse(clock.now())
    assert (stamp.wall_ms, stamp.counter) == (wall.ms + 1, 0)


def test_parse_rejects_malformed_stamps():
    for bad in ("", "123", "1790000000000-0000-notaulid", None, 42):
        assert not is_stamp(bad)
    assert Stamp.parse(str(Stamp(1, 2, DEVICE))) == Stamp(1, 2, DEVICE)
