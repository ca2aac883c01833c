"""A minimal Typer app: the reference for the start-up target (``--help`` ≤ 1.1× this).

Typer's defaults (Rich help when Rich is installed), two commands, nothing else.
"""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye() -> None:
    """Say goodbye."""
    print("bye")


if __name__ == "__main__":
    app()
