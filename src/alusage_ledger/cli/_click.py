"""The click that Typer uses: Typer >= 0.29 vendors it as ``typer._click``."""

from __future__ import annotations

from typing import Any

click: Any
try:
    import typer._click.core
    import typer._click.exceptions
    import typer._click.formatting  # noqa: F401
    from typer import _click as click  # type: ignore[attr-defined,no-redef]
except ImportError:  # older Typer on the real click
    import click  # type: ignore[no-redef]
    import click.core
    import click.exceptions
    import click.formatting

__all__ = ["click"]
