"""Statutory deadlines of a matter (docs/architecture.md §3), from a configurable policy.

The defaults are those of the national 信访工作条例 (2022): decide acceptance within 15 days,
handle within 60 days of acceptance, at most one extension of at most 30 days, a
review (复查) requested within 30 days of the reply and decided within 30 days of the request, a
re-review (复核) likewise after the review decision.

**"Within N days" of a start date means the Nth day after the start is the last allowed day**:
`due = start + N days`, the start date itself not counted. Registered on 1 March with 15 days,
the acceptance decision is due on 16 March, and a decision on 16 March is on time.

Days are calendar days unless the policy says `working_days = true`; then "N days after start"
means the Nth *working day* after start (the start date is never counted, whether or not it is a
working day). Working days follow the State Council's public holidays and make-up working days
(调休: a Saturday or Sunday worked in exchange counts as a working day), as the
`chinese-calendar` library knows them. That library only has data for the years whose holiday
notice it has seen; for any other year the days are counted Monday to Friday, which can be wrong
around holidays. Such results are never silent: every `Deadline` computed across a year without
data has `approximate=True`, and `Policy.calendar_note(*dates)` gives the sentence to show.

**The acceptance clock never restarts.** It runs from the day the matter was raised (the visit's
date: the petitioner has waited since then), or, when the policy says `acceptance_from =
"arrival"`, from the day the office first registered it (登记, the office's record of receiving
it). Registering again, transferring or re-importing cannot move it: the dates are taken from the
matter's history (`issue_facts`), which only grows: the *earliest* registration and the *first*
acceptance decision. So a step once late stays late, on every screen and in every figure, and
`step_on_time` is the one judge of on-time-ness that all of them use.

The matter is read as a plain dict of values (`records.values(record)`), or better
`issue_facts(record)`, which adds from its history `arrived_at` (first registration),
`decided_at` (first acceptance decision: accepted, not accepted or transferred) and
`transferred_at`. Nothing here reads the clock: `today` is always passed in.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.records import values
from fieldvisit.office.corrections import UNDOES, undone_stamps

STEPS = ("acceptance", "handling", "review_request", "review_decision", "re_review_request", "re_review_decision")
OFFICE_STEPS = ("acceptance", "handling", "review_decision", "re_review_decision")
"""The steps the office owes; the others are the petitioner's windows to ask for a review."""

CLOSED_STATUSES = ("closed", "withdrawn", "not_accepted", "transferred")
"""Statuses in which the matter waits on no deadline."""

DECISION_STATUSES = ("accepted", "not_accepted", "transferred")
MAX_SETTING = 3650
"""No policy number may exceed this (ten years of days): it catches typing slips early."""
ACCEPTANCE_FROM = ("raised", "arrival")
"""When the acceptance clock starts: the day the matter was raised, or its first registration."""


class PolicyError(FieldVisitError):
    """A policy file that cannot be used, or a step the policy does not allow."""

    message_key = "error.policy.unreadable"


@dataclass(frozen=True)
class Policy:
    """The numbers of days for each step; see the module docstring for how days are counted."""

    acceptance_days: int = 15
    handling_days: int = 60
    max_extension_days: int = 30
    max_extensions: int = 1
    review_request_days: int = 30
    review_decision_days: int = 30
    re_review_request_days: int = 30
    re_review_decision_days: int = 30
    working_days: bool = False
    acceptance_from: str = "raised"
    due_soon_days: int = 7
    """A matter is due soon when its open office step is due within this many days (0 = today)."""
    office_name: str = ""
    """The issuing office printed on written notices, when its keys name no organisation."""

    def calendar_note(self, *dates: date) -> str | None:
        """The sentence to show when working days between the earliest and the latest of `dates`
        were counted Monday to Friday for lack of holiday data; None when nothing was guessed
        (always None for calendar days)."""
        if not self.working_days or not dates:
            return None
        missing = fallback_years(min(dates), max(dates))
        if not missing:
            return None
        from fieldvisit.core.i18n import t

        return t("error.policy.no_holiday_data", years=", ".join(str(year) for year in missing))


DEFAULT_POLICY = Policy()

_COMMENTS = {
    "acceptance_days": ("登记之日起几日内决定是否受理（条例：15 日）", "decide acceptance within N days of registration"),
    "handling_days": ("受理之日起几日内办结并答复（条例：60 日）", "handle and reply within N days of acceptance"),
    "max_extension_days": ("每次延期最多几日（条例：30 日）", "an extension adds at most N days"),
    "max_extensions": ("最多延期几次（条例：1 次）", "how many extensions are allowed"),
    "review_request_days": ("答复之日起几日内可以请求复查（条例：30 日）", "a review may be requested within N days of the reply"),
    "review_decision_days": ("收到复查请求之日起几日内作出复查意见（条例：30 日）", "decide a review within N days of the request"),
    "re_review_request_days": ("复查意见之日起几日内可以请求复核（条例：30 日）", "a re-review may be requested within N days of the review decision"),
    "re_review_decision_days": ("收到复核请求之日起几日内作出复核意见（条例：30 日）", "decide a re-review within N days of the request"),
    "working_days": (
        "true：按工作日计算（法定节假日和调休依 chinese-calendar 数据）；false：按自然日",
        "true: count working days (public holidays and make-up days); false: calendar days",
    ),
    "acceptance_from": (
        "受理期限起算：\"raised\" 自事项提出之日（下访当日）；\"arrival\" 自信访办首次登记之日",
        "the acceptance clock starts: \"raised\" the day the matter was raised; \"arrival\" its first registration",
    ),
    "due_soon_days": ("距期限几日内算“即将到期”（登记簿、待办和报表共用）", "\"due soon\" means due within N days (register, attention list, reports)"),
    "office_name": ("书面告知书上的机关名称（办公室密钥未写明单位时使用）", "the office's name on written notices (when its keys name no organisation)"),
}


def load_policy(path: Path | None) -> Policy:
    """The policy in the TOML file at `path`; defaults when there is no path or no such file.

    The file holds top-level `name = value` lines, any subset of `Policy`'s fields. An unknown
    name, a value of the wrong type (a whole number of days, or true / false), a negative or
    absurdly large number, or a file that is not TOML raises `PolicyError` naming the file and key.
    """
    if path is None:
        return DEFAULT_POLICY
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_POLICY
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError("error.policy.unreadable", path=str(path), reason=str(error)) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError("error.policy.unreadable", path=str(path), reason=str(error)) from error
    known = {item.name: item.default for item in fields(Policy)}
    for key, value in data.items():
        if key not in known:
            raise PolicyError("error.policy.unknown_key", path=str(path), setting=key, known=", ".join(known))
        if key == "acceptance_from":
            if value not in ACCEPTANCE_FROM:
                raise PolicyError("honest_deadlines.expect_choice", path=str(path), setting=key, value=_shown(value), choices=", ".join(ACCEPTANCE_FROM))
            continue
        if isinstance(known[key], str):
            if not isinstance(value, str):
                raise PolicyError("notices.error.policy_text", path=str(path), setting=key, value=_shown(value))
            continue
        if isinstance(known[key], bool):
            if not isinstance(value, bool):
                raise PolicyError("error.policy.expect_bool", path=str(path), setting=key, value=_shown(value))
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise PolicyError("error.policy.expect_int", path=str(path), setting=key, value=_shown(value))
        if value < 0:
            raise PolicyError("error.policy.negative", path=str(path), setting=key, value=value)
        if value > MAX_SETTING:
            raise PolicyError("error.policy.too_large", path=str(path), setting=key, value=value, limit=MAX_SETTING)
    return Policy(**data)


def policy_toml(policy: Policy = DEFAULT_POLICY) -> str:
    """The policy as commented TOML, for writing a starter file; `load_policy` reads it back."""
    lines = [
        "# fieldvisit 信访期限规则 / deadline policy",
        "# 默认值依据《信访工作条例》（2022）。/ Defaults from the national 信访工作条例 (2022).",
        "# “N 日内”指起算日之后第 N 日为最后一天，起算日当天不计。",
        "# “Within N days” means the Nth day after the start date is the last allowed day.",
        "",
    ]
    for item in fields(Policy):
        value = getattr(policy, item.name)
        zh, en = _COMMENTS[item.name]
        shown = _shown(value) if isinstance(value, bool | str) else str(value)
        lines += [f"# {zh}", f"# {en}", f"{item.name} = {shown}", ""]
    return "\n".join(lines)


# --- counting days -------------------------------------------------------------------------


@lru_cache(maxsize=None)
def has_holiday_data(year: int) -> bool:
    """Whether the installed `chinese-calendar` knows that year's holidays and make-up days."""
    try:
        import chinese_calendar  # its holiday tables load only when working days are counted
    except ImportError:
        return False
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def fallback_years(start: date, end: date) -> list[int]:
    """The years from `start` to `end` (either order) whose working days are counted Monday to Friday."""
    low, high = sorted((start.year, end.year))
    return [year for year in range(low, high + 1) if not has_holiday_data(year)]


@lru_cache(maxsize=1 << 16)
def is_working_day(day: date) -> bool:
    """A working day in mainland China; Monday to Friday in a year without holiday data."""
    if has_holiday_data(day.year):
        import chinese_calendar  # as above: only for working days

        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_days(start: date, days: int, policy: Policy) -> date:
    """`days` days after `start` (before it when negative): calendar days, or with working days
    the `days`-th working day after `start`, the start date itself never counted."""
    if not policy.working_days:
        return start + dt.timedelta(days=days)
    return _add_working_days(start, days)


@lru_cache(maxsize=1 << 14)
def _add_working_days(start: date, days: int) -> date:
    step = dt.timedelta(days=1 if days >= 0 else -1)
    current, remaining = start, abs(days)
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def days_between(start: date, end: date, policy: Policy) -> int:
    """Days from `start` to `end`, negative when `end` is earlier; `days_between(s, add_days(s, n)) == n`.

    With working days: the working days in (start, end] going forward, or minus those in
    [end, start) going back, i.e. the working days stepped onto on the way.
    """
    if not policy.working_days:
        return (end - start).days
    if end >= start:
        return _working_days_in(start, end)
    one = dt.timedelta(days=1)
    return -_working_days_in(end - one, start - one)


def _working_days_in(start: date, end: date) -> int:
    """The working days in (start, end], for start <= end, from per-year running counts."""
    if start.year == end.year:
        table = _year_table(end.year)
        return table[_day_index(end)] - table[_day_index(start)]
    first = _year_table(start.year)
    between = sum(_year_table(year)[-1] for year in range(start.year + 1, end.year))
    return first[-1] - first[_day_index(start)] + between + _year_table(end.year)[_day_index(end)]


def _day_index(day: date) -> int:
    return day.timetuple().tm_yday - 1


@lru_cache(maxsize=None)
def _year_table(year: int) -> tuple[int, ...]:
    """For each day of `year`, the working days from 1 January up to and including it."""
    counts, total, day = [], 0, date(year, 1, 1)
    while day.year == year:
        total += is_working_day(day)
        counts.append(total)
        day += dt.timedelta(days=1)
    return tuple(counts)


# --- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One step of a matter: its due date (the last allowed day) and when it was done, if it was.

    `start` is the date the count ran from; `approximate` is True when working days were counted
    Monday to Friday for a year without holiday data (see `Policy.calendar_note`).
    """

    step: str
    due: date
    done: date | None
    start: date | None = None
    approximate: bool = False

    @property
    def on_time(self) -> bool | None:
        """True if done on or before the due date, False if done later, None while open."""
        return None if self.done is None else self.done <= self.due

    @property
    def owner(self) -> str:
        """"office" for a step the office owes, "petitioner" for a window to request a review."""
        return "office" if self.step in OFFICE_STEPS else "petitioner"


def deadlines(issue: dict[str, Any], policy: Policy) -> list[Deadline]:
    """The steps that apply given what has happened so far, in order.

    - acceptance: from the date of `raised_at` (in its own offset), or with `acceptance_from =
      "arrival"` from `arrived_at` (first registration; `registered_at` in plain values); either
      falls back on the other when unknown. Done at the first decision: the earlier of
      `accepted_at` and `decided_at`;
    - handling: from `accepted_at`, `handling_days + extension_days`, done at `replied_at`, or
      at `transferred_at` when the matter was transferred away while being handled;
    - review_request: from `replied_at`, done at `review_requested_at`;
    - review_decision: from `review_requested_at`, done at `review_decided_at`;
    - re_review_request: from `review_decided_at`, done at `re_review_requested_at`;
    - re_review_decision: from `re_review_requested_at`, done at `re_review_decided_at`.

    A step applies once its start date is known. A date that cannot be read raises `PolicyError`.
    """
    found = []
    raised = _date(issue, "raised_at")
    arrived = _date(issue, "arrived_at") or _date(issue, "registered_at")
    start = (arrived or raised) if policy.acceptance_from == "arrival" else (raised or arrived)
    accepted = _date(issue, "accepted_at")
    if start is not None:
        done = min((day for day in (accepted, _date(issue, "decided_at")) if day is not None), default=None)
        found.append(_deadline("acceptance", start, policy.acceptance_days, done, policy))
    if accepted is not None:
        days = policy.handling_days + _extension_days(issue)
        done = _date(issue, "replied_at") or _date(issue, "transferred_at")
        found.append(_deadline("handling", accepted, days, done, policy))
    chain = (
        ("review_request", "replied_at", policy.review_request_days, "review_requested_at"),
        ("review_decision", "review_requested_at", policy.review_decision_days, "review_decided_at"),
        ("re_review_request", "review_decided_at", policy.re_review_request_days, "re_review_requested_at"),
        ("re_review_decision", "re_review_requested_at", policy.re_review_decision_days, "re_review_decided_at"),
    )
    for step, start_field, days, done_field in chain:
        begun = _date(issue, start_field)
        if begun is not None:
            found.append(_deadline(step, begun, days, _date(issue, done_field), policy))
    return found


def step_on_time(deadline: Deadline, day: date) -> bool | None:
    """The one judge of on-time-ness, for every screen and figure, as known on `day`.

    True when the step was done by its due date (and by `day`); False when it was done after its
    due date, or is still not done on `day` and its due date has passed: lateness once incurred
    never goes away. None while it is open and not yet late. A done date after `day` is not
    known on `day`."""
    done = deadline.done if deadline.done is not None and deadline.done <= day else None
    if done is not None:
        return done <= deadline.due
    return False if day > deadline.due else None


def late_steps(issue: dict[str, Any], policy: Policy, day: date) -> list[Deadline]:
    """The steps the office owes that were, or are, late as known on `day` (`step_on_time`)."""
    return [deadline for deadline in deadlines(issue, policy) if deadline.owner == "office" and step_on_time(deadline, day) is False]


@dataclass(frozen=True)
class DeadlineNow:
    """What a matter waits on today, as every matter screen and the register show it: the open
    step and the days left to it, or no step and the reason (`reason` a locale key)."""

    deadline: Deadline | None
    days_left: int | None
    reason: str


def deadline_now(issue: dict[str, Any], policy: Policy, today: date) -> DeadlineNow:
    """The deadline that applies to the matter now (`current_deadline`), or why none does."""
    deadline = current_deadline(issue, policy)
    if deadline is not None:
        return DeadlineNow(deadline, days_left(deadline, today, policy), "")
    status = issue.get("status") or "recorded"
    if status in CLOSED_STATUSES:
        return DeadlineNow(None, None, f"honest_deadlines.none_{status}")
    return DeadlineNow(None, None, "honest_deadlines.none_done" if deadlines(issue, policy) else "deadline.none")


def is_due_soon(days: int | None, within: int) -> bool:
    """The one definition of "due soon": the open step is due today or within `within` days
    (the policy's `due_soon_days`); `days` is what `days_left` gave, None when nothing is open."""
    return days is not None and 0 <= days <= within


def current_deadline(issue: dict[str, Any], policy: Policy) -> Deadline | None:
    """The open step the matter is waiting on: the latest step that applies, if it is not done.

    None for a closed, withdrawn, not accepted or transferred matter, and once the last step
    (a re-review decision) is done. For a replied matter it is the petitioner's window to ask
    for a review (`owner == "petitioner"`).
    """
    if issue.get("status") in CLOSED_STATUSES:
        return None
    found = deadlines(issue, policy)
    if not found or found[-1].done is not None:
        return None
    return found[-1]


def days_left(deadline: Deadline, today: date, policy: Policy) -> int:
    """Days from `today` to the due date: 0 on the due date, negative once it has passed.

    With working days a day past the due date is never 0, even on a weekend: at least -1.
    """
    left = days_between(today, deadline.due, policy)
    return min(left, -1) if today > deadline.due else left


def is_overdue(issue: dict[str, Any], policy: Policy, today: date) -> bool:
    """The office owes the step the matter waits on, and its due date has passed.

    A petitioner's lapsed window to ask for a review is not the office being late.
    """
    deadline = current_deadline(issue, policy)
    return deadline is not None and deadline.owner == "office" and today > deadline.due


def check_extension(issue: dict[str, Any], days: int, policy: Policy) -> None:
    """Raise `PolicyError` unless `days` more may be added to the handling period now.

    Refused when the matter is not being handled (not accepted, or already replied / closed),
    when it already had `max_extensions` extensions, or when `days` is not from 1 to
    `max_extension_days`. The count of extensions is `issue["extensions"]` when given, else it is
    worked out from `extension_days` (exact for the default one extension).
    """
    if issue.get("status") in (*CLOSED_STATUSES, "replied", "review", "re_review") or (
        _date(issue, "accepted_at") is None or _date(issue, "replied_at") is not None
    ):
        raise PolicyError("error.policy.extension_not_handling")
    so_far = _extension_days(issue)
    used = _extension_count(issue, so_far, policy)
    if used >= policy.max_extensions:
        raise PolicyError("error.policy.extension_used", used=used, allowed=policy.max_extensions)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= policy.max_extension_days:
        raise PolicyError("error.policy.extension_days", days=days, max=policy.max_extension_days)
    total = policy.max_extensions * policy.max_extension_days
    if so_far + days > total:
        raise PolicyError("error.policy.extension_total", total=total, left=max(total - so_far, 0))


def issue_facts(record: dict[str, Any]) -> dict[str, Any]:
    """A matter's values plus the dates its history fixes for good (`history_dates`)."""
    facts = values(record)
    facts.update(history_dates(record, facts.get("decided_at")))
    return facts


def history_dates(record: dict[str, Any], decided: Any = None) -> dict[str, str]:
    """From a matter's history, which only grows, so no later step can move them:

    - `arrived_at`: its first registration: the earliest `registered_at` ever written;
    - `decided_at`: its first acceptance decision: the earliest `accepted_at` or `decided_at`
      (a not-accepted or transfer decision) ever written, or `decided` when earlier;
    - `transferred_at`: the earliest `transferred_at` ever written.

    Every value a field ever had is kept (`records.registers`). Matters from before these dates
    were written take them from the status steps (`transitions`) instead. Dates are the local
    dates written (the first ten characters); those not known are left out.

    A decision or transfer an officer undid (`corrections`) is left out: the matter waits on its
    decision again, and the decision it gets later is judged against the same due date, so an
    undo can make a step later, never earlier. A registration undone still counts as the
    arrival: the clock never starts later."""
    fields, history = record["fields"], record.get("history", {})
    undone = undone_stamps(record)

    def ever(*names: str, standing: bool = False) -> list[str]:
        found = [
            str(register.get("value") or "")[:10]
            for name in names
            for stamp, register in (history.get(name) or {}).items()
            if not (standing and stamp in undone)
        ]
        found += [str(fields[name].get("value") or "")[:10] for name in names if name in fields and not (standing and fields[name].get("stamp") in undone)]
        return [day for day in found if day]

    arrivals = ever("registered_at")
    decisions, transfers = ever("accepted_at", "decided_at", standing=True), ever("transferred_at", standing=True)
    if decided:
        decisions.append(str(decided)[:10])
    if not (arrivals and decisions and transfers):
        steps = [(entry.get("stamp"), entry.get("value") or {}) for entry in (record.get("maps", {}).get("transitions") or {}).values()]
        dated = [(step.get("to"), str(step.get("at") or "")[:10], stamp in undone) for stamp, step in steps if step.get("at") and not step.get(UNDOES)]
        arrivals = arrivals or [at for to, at, _ in dated if to in ("registered", *DECISION_STATUSES)]
        decisions = decisions or [at for to, at, was_undone in dated if to in DECISION_STATUSES and not was_undone]
        transfers = transfers or [at for to, at, was_undone in dated if to == "transferred" and not was_undone]
    found = {}
    for name, days in (("arrived_at", arrivals), ("decided_at", decisions), ("transferred_at", transfers)):
        if days:
            found[name] = min(days)
    return found


def _deadline(step: str, start: date, days: int, done: date | None, policy: Policy) -> Deadline:
    due = add_days(start, days, policy)
    approximate = policy.working_days and bool(fallback_years(start, due))
    return Deadline(step=step, due=due, done=done, start=start, approximate=approximate)


def as_read(value: Any) -> Any:
    """A date field's value as `deadlines` reads it: its local date (ISO) when it can be read, else
    as it is (`deadlines` then refuses it, as it would have): matters whose times differ but
    whose dates are the same then share their deadlines (`office.facts_db`)."""
    try:
        day = _date({"value": value}, "value")
    except PolicyError:
        return value
    return value if day is None else day.isoformat()


def _date(issue: dict[str, Any], field: str) -> date | None:
    """A date field (or the local date of a time with offset); None when empty."""
    value = issue.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return _parse_day(text)
    except ValueError:
        raise PolicyError("error.policy.bad_value", field=field, value=text) from None


@lru_cache(maxsize=65536)
def _parse_day(text: str) -> date:
    """Cached: a register of 100,000 matters holds only a few thousand distinct dates."""
    return date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text).date()


def _extension_days(issue: dict[str, Any]) -> int:
    value = issue.get("extension_days") or 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyError("error.policy.bad_value", field="extension_days", value=value)
    return value


def _extension_count(issue: dict[str, Any], so_far: int, policy: Policy) -> int:
    given = issue.get("extensions")
    if isinstance(given, int) and not isinstance(given, bool) and given >= 0:
        return given
    if so_far == 0:
        return 0
    per = max(policy.max_extension_days, 1)
    return max(1, -(-so_far // per))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if isinstance(value, str) else str(value)
