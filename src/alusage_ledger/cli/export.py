"""``export``: files for the outside world. ``export fec``: the FEC of an entity's exercice.

    alusage-ledger export fec --entity alusage --exercice 2026 [--out DIR]
    alusage-ledger export fec --verify 917426355FEC20261231.txt

The FEC and its description are written with the atomic writer (temporary file, fsync,
rename); they are outputs, not ledger text, so no lock is taken. Exit codes: 1 ledger
problems (e.g. accounts without a PCG number) or a FEC that fails ``--verify``; 2 bad
options; 3 no SIREN in the configuration; 4 months of the exercice not closed (without
``--allow-open``); 5 the files cannot be written.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from alusage_ledger import __version__
from alusage_ledger.cli import state
from alusage_ledger.cli.options import command_group, optional
from alusage_ledger.core.errors import ConfigError, IOFailure, UsageError
from alusage_ledger.core.fmt import machine
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, warn
from alusage_ledger.outputs.render.progress import working

_ENCODING_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "iso-8859-15": "iso-8859-15",
    "iso8859-15": "iso-8859-15",
    "latin9": "iso-8859-15",
    "latin-9": "iso-8859-15",
}


def register(app: typer.Typer) -> None:
    export_app = command_group(
        app,
        "export",
        N_("Export the books for the outside world (FEC for the tax administration)."),
    )

    @export_app.command(
        "fec",
        help=N_(
            "Write the FEC (Fichier des Écritures Comptables, LPF art. A47 A-1) of an "
            "entity's exercice and its description file, or check any FEC file with --verify."
        ),
    )
    def fec(
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("The entity, e.g. alusage.")),
        ] = None,
        exercice: Annotated[
            int | None,
            optional("--exercice", help=N_("The exercice, by the year it closes in, e.g. 2026.")),
        ] = None,
        encoding: Annotated[
            str,
            typer.Option("--encoding", help=N_("Character set: utf-8 or iso-8859-15.")),
        ] = "utf-8",
        separator: Annotated[
            str,
            typer.Option("--separator", help=N_("Field separator: tab or pipe.")),
        ] = "tab",
        out: Annotated[
            Path | None,
            optional(
                "--out", help=N_("Folder to write the files into (default: the current folder).")
            ),
        ] = None,
        allow_open: Annotated[
            bool,
            typer.Option(
                "--allow-open",
                help=N_(
                    "Export even if months are not closed: a provisional FEC whose ValidDate "
                    "is the export date for those months."
                ),
            ),
        ] = False,
        verify: Annotated[
            Path | None,
            optional(
                "--verify",
                help=N_("Check this FEC file instead of exporting; exit 1 on any error."),
            ),
        ] = None,
    ) -> None:
        if verify is not None:
            given = [
                name
                for name, value in (
                    ("--entity", entity),
                    ("--exercice", exercice),
                    ("--out", out),
                    ("--allow-open", allow_open or None),
                )
                if value is not None
            ]
            if given:
                raise UsageError(
                    _("--verify checks an existing file; it takes no {options}.").format(
                        options=", ".join(given)
                    )
                )
            _verify(verify)
            return
        if entity is None or exercice is None:
            raise UsageError(
                _(
                    "Give --entity and --exercice to export a FEC (e.g. --entity alusage "
                    "--exercice 2026), or --verify FILE to check one."
                )
            )
        enc = _ENCODING_ALIASES.get(encoding.strip().lower())
        if enc is None:
            raise UsageError(
                _("Unknown encoding {value!r}; use utf-8 or iso-8859-15.").format(value=encoding)
            )
        sep = separator.strip().lower()
        if sep not in ("tab", "pipe"):
            raise UsageError(
                _("Unknown separator {value!r}; use tab or pipe.").format(value=separator)
            )
        _export(entity, exercice, enc, sep, out, allow_open)


def _export(
    entity: str, exercice: int, encoding: str, separator: str, out: Path | None, allow_open: bool
) -> None:
    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs.fec.build import build_fec

    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs.fec.description import render_description

    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs.fec.settings import (
        FecSettings,
        exercice_bounds,
        export_date,
        third_party_names,
        third_party_parents,
    )

    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs.fec.verifier import verify_fec
    from alusage_ledger.outputs.fec.writer import ENCODINGS, render_fec

    st = state.current()
    ws = st.workspace()
    config = ws.config.entity(entity)
    if not config.siren:
        raise ConfigError(
            _(
                "alusage.toml: entities.{entity}.siren is required: the FEC is named after "
                "the SIREN."
            ).format(entity=entity)
        )
    start, end = exercice_bounds(config.exercice_start, exercice)
    today = export_date()
    with working(_("Loading the ledger of {entity}…").format(entity=entity)):
        ledger = ws.load_checked(entity)
    settings = FecSettings(
        entity=entity,
        name=config.name,
        siren=config.siren,
        start=start,
        end=end,
        export_date=today,
        root=ws.root,
        books_start=config.books_start_date(),
        allow_open=allow_open,
        third_party_parents=third_party_parents(ws.config, entity),
        third_party_names=third_party_names(ws.config, entity),
        currency=ws.config.workspace.currency,
    )
    with working(_("Writing and checking the FEC…")):
        export = build_fec(ledger.entries, settings)
        data = render_fec(export, encoding, separator)
        report = verify_fec(data, export.filename)
    if not report.ok:  # a bug of ours: never hand over a file that fails its own check
        first = report.errors[0]
        raise IOFailure(
            _(
                "The FEC produced for {entity} fails its own check (line {line}: {message}); "
                "nothing was written. Please report this."
            ).format(entity=entity, line=first.line, message=first.message)
        )
    description = render_description(export, data, encoding, separator, __version__)
    folder = (out or Path.cwd()).resolve()
    fec_path = folder / export.filename
    description_path = folder / export.description_name
    _write_pair(fec_path, data, description_path, description)

    debit, credit = export.totals()
    if st.json:
        emit_json(
            {
                "ok": True,
                "entity": entity,
                "exercice": {"start": start, "end": end},
                "file": str(fec_path),
                "description": str(description_path),
                "encoding": encoding,
                "separator": separator,
                "lines": len(export.lines),
                "entries": export.entries,
                "debit": machine(debit),
                "credit": machine(credit),
                "journals": [
                    {
                        "code": j.code,
                        "label": j.label,
                        "entries": j.entries,
                        "first": j.first,
                        "last": j.last,
                    }
                    for j in export.journals
                ],
                "provisional": export.provisional,
                "open_months": [str(m) for m in export.open_months],
                "pending_inventory": export.pending_inventory,
                "export_date": today,
            }
        )
        return
    say(
        _(
            "FEC written: {path} ({lines} lines, {entries} entries, {encoding}, {separator})."
        ).format(
            path=fec_path,
            lines=len(export.lines),
            entries=export.entries,
            encoding=ENCODINGS[encoding],
            separator=separator,
        )
    )
    say(_("Description: {path}").format(path=description_path))
    say(
        _("Journals: {journals}.").format(
            journals=", ".join(f"{j.code} {j.first}..{j.last}" for j in export.journals)
        )
    )
    if export.pending_inventory:
        warn(
            _(
                "PROVISIONAL: the exercice is not closed; its {count} inventory entries carry "
                "the export date as ValidDate."
            ).format(count=export.pending_inventory)
        )
    if export.open_months:
        warn(
            _(
                "PROVISIONAL: these months are not closed: {months}; their entries carry the "
                "export date as ValidDate. Do not hand this file over as the final FEC."
            ).format(months=", ".join(map(str, export.open_months)))
        )
    if config.kind == "micro":
        warn(
            _(
                "Note: micro-entrepreneurs are dispensed from producing a FEC (administrative "
                "tolerance); this file is for information."
            )
        )


def _write_pair(fec_path: Path, data: bytes, description_path: Path, description: bytes) -> None:
    """Both files or neither: the FEC's previous bytes come back if the description fails."""
    # lazy: the books (pydantic, Beancount) load only when the command runs
    from alusage_ledger.books.writer import atomic_write

    folder = fec_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IOFailure(
            _("Cannot create the folder {path}: {reason}.").format(
                path=folder, reason=exc.strerror or exc
            )
        ) from exc
    previous = fec_path.read_bytes() if fec_path.is_file() else None
    atomic_write(fec_path, data)
    try:
        atomic_write(description_path, description)
    except BaseException:
        with contextlib.suppress(Exception):
            if previous is None:
                fec_path.unlink()
            else:
                atomic_write(fec_path, previous)
        raise


def _verify(path: Path) -> None:
    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs.fec.verifier import verify_fec

    st = state.current()
    if not path.is_file():
        raise UsageError(_("The file {path} does not exist.").format(path=path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IOFailure(
            _("Cannot read {path}: {reason}.").format(path=path, reason=exc.strerror)
        ) from exc
    report = verify_fec(data, path.name)
    shown = str(path)

    def as_dict(problem: Any) -> dict[str, Any]:
        return {"line": problem.line, "message": problem.message}

    if st.json:
        emit_json(
            {
                "ok": report.ok,
                "file": shown,
                "encoding": report.encoding,
                "separator": report.separator,
                "lines": report.lines,
                "entries": report.entries,
                "journals": report.journals,
                "errors": [as_dict(p) for p in report.errors],
                "warnings": [as_dict(p) for p in report.warnings],
            }
        )
    else:
        for problem in report.problems:
            text = f"{shown}:{problem.line}: {problem.message}"
            if problem.severity != "error":
                text = _("warning: {problem}").format(problem=text)
            say(text)
        if report.ok:
            say(
                _(
                    "{path}: valid FEC ({lines} lines, {entries} entries, {encoding}, {separator})."
                ).format(
                    path=shown,
                    lines=report.lines,
                    entries=report.entries,
                    encoding=report.encoding,
                    separator=report.separator,
                )
            )
        else:
            say(_("{count} error(s) found.").format(count=len(report.errors)))
    if not report.ok:
        raise typer.Exit(1)
