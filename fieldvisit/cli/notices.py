"""`fieldvisit notice`: print a written notice (书面告知) for a matter and record that it was printed."""

from __future__ import annotations

from pathlib import Path

import click

from fieldvisit.cli.common import common_options, open_central, run, settings
from fieldvisit.core.i18n import LANGUAGES, language, t
from fieldvisit.core.text import printable
from fieldvisit.office.notices import KINDS


@click.command("notice")
@common_options
@click.argument("matter")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Which notice: acceptance (受理告知书), non_acceptance (不予受理告知书), transfer (转送/交办告知书), handling (处理意见书), review (复查意见书), re_review (复核意见书).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="A PDF file, or a folder for the default name (default: the summaries folder beside the office's data).")
@click.option("--notice-lang", "notice_lang", type=click.Choice(LANGUAGES, case_sensitive=False), default=None, help="The notice's language (default: the interface language, --lang).")
@click.option("--officer", default=None, help="The officer's name on the notice and in the matter's history (default: the login name).")
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), default=None, help="A CJK .ttf/.otf/.ttc font for the PDF.")
@click.pass_context
def notice(ctx, data_dir, lang, matter, kind, out, notice_lang, officer, font) -> None:
    """Write the written notice KIND for MATTER (its reference, e.g. 20261010-3WER-001, or its id)
    as PDF, from the office's templates beside policy.toml, and record it on the matter.

    `--lang` sets the language of messages and, unless `--notice-lang` says otherwise, of the notice.
    """
    base, _ = settings(ctx, data_dir, lang)

    def write_notice() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.cli.office import office_cache_kept_in_step
        from fieldvisit.editing.editor import Editor
        from fieldvisit.office.policy import load_policy
        from fieldvisit.reports.notices import print_notice

        opened, home = open_central(ctx, base)
        policy = load_policy(home.policy_file)
        with opened as store, office_cache_kept_in_step(store, home):
            done = print_notice(store, Editor(store, actor=officer or None), home, policy, matter, kind, notice_lang or language(), out=out, font=font)
        if not done.notice.office_named:
            click.echo(printable(f"fieldvisit: {t('notices.unnamed_warning', name=done.notice.texts['issuer'], path=str(home.policy_file))}"), err=True)
        click.echo(printable(t("notices.written", kind=t(f"notices.kind.{kind}"), path=str(done.path))))

    run(write_notice)
