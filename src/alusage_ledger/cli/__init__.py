"""The Typer command line: a thin shell that parses options, calls the library, renders."""
