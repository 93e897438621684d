"""`flask --app app documents sample KIND OUT.pdf`: a realistic sample of each document kind."""
import click

from . import bp

bp.cli.short_help = "公文：样张"
bp.cli.help = "Official documents (公文)."


@bp.cli.command("sample")
@click.argument("kind")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def sample_command(kind, out):
    """Render the sample document of KIND (circular, notice, reminder-letter, talk-notice, work-plan,
    report, self-check-report, department-report, minutes) to OUT.pdf."""
    from ..gongwen.render import KINDS, render_pdf
    from ..gongwen.samples import sample
    if kind not in KINDS:
        raise click.ClickException(f"未知的公文种类：{kind}；可选：{', '.join(KINDS)}")
    data = render_pdf(kind, sample(kind))
    with open(out, "wb") as fh:
        fh.write(data)
    click.echo(f"{out}（{len(data) // 1024} KB）")
