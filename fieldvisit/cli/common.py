"""What every `fieldvisit` command shares: --data-dir and --lang, and one way to report errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from fieldvisit.locations import paths
from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import LANGUAGES, set_language, t
from fieldvisit.core.text import printable

if TYPE_CHECKING:
    from fieldvisit.stores.factory import StoreSpec


STORE_KEY = "fieldvisit.store"
"""`--store` as given, in the context's meta (shared by a command and the groups around it)."""


def _remember_store(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[STORE_KEY] = value


def common_options(command: Callable) -> Callable:
    """--data-dir, --store and --lang, accepted before or after the command name."""
    command = click.option(
        "--store",
        metavar="PATH|URL",
        default=None,
        expose_value=False,
        callback=_remember_store,
        help=(
            "The office's central store: a folder or .json file (the embedded JSON store, default "
            "<data dir>/office) or postgresql://user@host/db (default: FIELDVISIT_STORE). "
            "A laptop's own store is always the JSON store in <data dir>/field."
        ),
    )(command)
    command = click.option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        default=None,
        help="Interface language (default: from the locale, or FIELDVISIT_LANG).",
    )(command)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder holding the stores (default: FIELDVISIT_DATA, else the user data folder).",
    )(command)


def settings(ctx: click.Context, data_dir: Path | None, lang: str | None) -> tuple[Path, str]:
    """Options given after the command win over the ones given before it."""
    for outer in _parents(ctx):
        data_dir, lang = data_dir or outer.params.get("data_dir"), lang or outer.params.get("lang")
    language = set_language(lang)
    return paths.data_dir(data_dir), language


def central(ctx: click.Context, base: Path) -> tuple["StoreSpec", paths.Home]:
    """Where the office's records are — `--store` (given after or before the command), else
    FIELDVISIT_STORE, else the JSON store in `<data dir>/office` — and where its other files are."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.stores.factory import parse_spec

    spec = parse_spec(ctx.meta.get(STORE_KEY), paths.office_store_dir(base))
    return spec, spec.home(paths.office_store_dir(base))


def open_central(ctx: click.Context, base: Path, **how: Any):
    """The office's store (`factory.open_office_store(spec, **how)`) and its home."""
    from fieldvisit.stores.factory import open_office_store

    spec, home = central(ctx, base)
    store = open_office_store(spec, **how)
    keep_derived_columns(store, home)
    return store, home


def keep_derived_columns(store, home: paths.Home) -> None:
    """A database keeps each matter's deadline beside it, to filter and sort on: computed with
    the office's policy as it writes (`office.register_db.keep_derived`)."""
    if store.pages_matters:
        from fieldvisit.office.policy import load_policy
        from fieldvisit.office.register_db import keep_derived

        keep_derived(store, load_policy(home.policy_file))


def _parents(ctx: click.Context):
    """The enclosing contexts, innermost first (`office keys init` has two: office, then main)."""
    outer = ctx.parent
    while outer is not None:
        yield outer
        outer = outer.parent



def open_field_app(store_dir: Path, cipher: Any = None) -> None:
    """The field app on the laptop's store. A store with a passphrase opens on the unlock screen,
    unless `cipher` (the caller already has it) or FIELDVISIT_PASSPHRASE opens it first."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.apps.field import FieldApp
    from fieldvisit.stores.store import TinyDBStore

    with TinyDBStore.in_directory(store_dir) as store:
        if store.locked:  # only then: PyNaCl and the key stretching are not needed to start
            from fieldvisit.stores import at_rest

            if cipher is not None:
                store.unlock(cipher)
            elif at_rest.passphrase_from_env():
                at_rest.unlock(store, at_rest.passphrase_from_env())
        else:
            store.meta()  # read now: a store that cannot be read is refused before the app starts
        warn_damaged(store)
        app = FieldApp(store, home=paths.Home(store_dir))
        app.run()
    if app.return_code:
        sys.exit(app.return_code)


def open_store(store_dir: Path, read_only: bool = False):
    """A command's store, unlocked: a field store with a passphrase asks for it (hidden input)
    unless FIELDVISIT_PASSPHRASE is set; a wrong one is a PassphraseError, so one line on stderr,
    exit code 1 and the store untouched. Office stores have no passphrase: nothing is asked."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.stores import at_rest
    from fieldvisit.stores.store import TinyDBStore

    store = TinyDBStore(store_dir / TinyDBStore.FILE_NAME, read_only=read_only)
    try:
        if store.locked:
            at_rest.unlock(store, ask_passphrase())
    except BaseException:
        store.close()
        raise
    warn_damaged(store)
    return store


def warn_damaged(store) -> None:
    """One line on stderr for each matter with a sealed value that does not open: the command
    goes on with the rest of the store."""
    for ref in store.damaged_matters().values():
        click.echo(printable(f"fieldvisit: {t('error.fault.damaged', ref=ref, path=store.location)}"), err=True)


def ask_passphrase(prompt_key: str = "passphrase.prompt") -> str:
    """The field store's passphrase: FIELDVISIT_PASSPHRASE for scripts, else a hidden prompt."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.stores.at_rest import passphrase_from_env

    return passphrase_from_env() or click.prompt(t(prompt_key), hide_input=True)


def run(action: Callable[[], Any]) -> None:
    """Run a command; a user-facing error becomes one line on stderr and exit code 1.

    So does a refusal by the OS (disk full, read-only or missing folder, no permission, a USB
    stick pulled out): `errors.user_error` names the path and the reason, never a traceback
    (whose values could hold a petitioner's name). Writers leave files and stores as they were."""
    try:
        action()
    except (FieldVisitError, OSError) as error:
        found = user_error(error)
        if found is None:
            raise
        click.echo(printable(f"fieldvisit: {found}"), err=True)  # a message may quote data
        sys.exit(1)
