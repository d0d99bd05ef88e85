"""`fieldvisit passphrase set|change|remove`: seal petitioners' personal data in the field store.

See `fieldvisit.stores.at_rest` for what is sealed and how. Each command rewrites the store in one
atomic write; the current passphrase comes from FIELDVISIT_PASSPHRASE or a hidden prompt, a new
one is always typed twice. `--fast-kdf` (hidden) is for tests only.
"""

from __future__ import annotations

from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli.common import common_options, open_store, run, settings
from fieldvisit.core.errors import PassphraseError
from fieldvisit.core.i18n import t


@click.group("passphrase")
def passphrase() -> None:
    """Protect the field store with a passphrase: petitioners' names, employee numbers, phones,
    representatives and narratives are then sealed in the file (Argon2id + XSalsa20-Poly1305),
    and every command and the app ask for it (or read FIELDVISIT_PASSPHRASE). A forgotten
    passphrase cannot be recovered."""


def _fast_kdf(command):
    return click.option("--fast-kdf", is_flag=True, hidden=True, help="Lighter Argon2id settings (tests only).")(command)


def _new_passphrase() -> str:
    return click.prompt(t("passphrase.new"), hide_input=True, confirmation_prompt=t("passphrase.repeat"))


def _strength(fast_kdf: bool) -> str:
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.stores import at_rest

    return at_rest.FAST_STRENGTH if fast_kdf else at_rest.DEFAULT_STRENGTH


def _reseal_roster(base: Path, store, old_cipher) -> None:
    """The laptop's roster follows the store's passphrase (`fieldvisit.roster.keeping.reseal`)."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.roster.keeping import reseal

    reseal(paths.field_home(base).roster_file, old_cipher, store.cipher)


@passphrase.command("set")
@common_options
@_fast_kdf
@click.pass_context
def set_command(ctx: click.Context, data_dir: Path | None, lang: str | None, fast_kdf: bool) -> None:
    """Set a passphrase on a field store that has none."""
    base, _ = settings(ctx, data_dir, lang)

    def seal() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores import at_rest
        from fieldvisit.editing.editor import Editor

        with open_store(paths.field_store_dir(base)) as store:
            if at_rest.is_protected(store):
                raise PassphraseError("error.passphrase.already_set")
            Editor(store)  # a new store gets its device identity while it is still plain
            at_rest.set_passphrase(store, _new_passphrase(), _strength(fast_kdf))
            _reseal_roster(base, store, None)
            click.echo(t("passphrase.set", path=store.location))

    run(seal)


@passphrase.command("change")
@common_options
@_fast_kdf
@click.pass_context
def change_command(ctx: click.Context, data_dir: Path | None, lang: str | None, fast_kdf: bool) -> None:
    """Change the field store's passphrase (asks for the current one first)."""
    base, _ = settings(ctx, data_dir, lang)

    def reseal() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores import at_rest

        with open_store(paths.field_store_dir(base)) as store:
            if not at_rest.is_protected(store):
                raise PassphraseError("error.passphrase.not_set")
            old = store.cipher
            at_rest.set_passphrase(store, _new_passphrase(), _strength(fast_kdf))
            _reseal_roster(base, store, old)
            click.echo(t("passphrase.changed", path=store.location))

    run(reseal)


@passphrase.command("remove")
@common_options
@click.pass_context
def remove_command(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Remove the passphrase: the field store becomes plain JSON again (asks for it first)."""
    base, _ = settings(ctx, data_dir, lang)

    def unseal() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores import at_rest

        with open_store(paths.field_store_dir(base)) as store:
            if not at_rest.is_protected(store):
                raise PassphraseError("error.passphrase.not_set")
            old = store.cipher
            at_rest.remove_passphrase(store)
            _reseal_roster(base, store, old)
            click.echo(t("passphrase.removed", path=store.location))

    run(unseal)
