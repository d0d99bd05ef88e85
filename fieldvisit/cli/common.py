"""What every `fieldvisit` command shares: --data-dir and --lang, and one way to report errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click
from fieldvisit.errors import FieldVisitError
from fieldvisit.i18n import LANGUAGES, set_language

from fieldvisit import paths


def common_options(command: Callable) -> Callable:
    """--data-dir and --lang, accepted before or after the command name."""
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


def _parents(ctx: click.Context):
    """The enclosing contexts, innermost first (`office keys init` has two: office, then main)."""
    outer = ctx.parent
    while outer is not None:
        yield outer
        outer = outer.parent



def open_field_app(store_dir: Path) -> None:
    from fieldvisit.field_app import FieldApp
    from fieldvisit.store import TinyDBStore

    with TinyDBStore.in_directory(store_dir) as store:
        FieldApp(store).run()


def run(action: Callable[[], Any]) -> None:
    """Run a command; a user-facing error becomes one line on stderr and exit code 1."""
    try:
        action()
    except FieldVisitError as error:
        click.echo(f"fieldvisit: {error}", err=True)
        sys.exit(1)
