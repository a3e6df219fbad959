"""How dense is the code?  AST nodes per line of each function, worst first.

    python tools/density.py [PATH ...] [--top N] [--max NODES_PER_LINE]

A line is a physical line of the function's body with code on it (the signature, blank lines,
comments and the docstring do not count); a node is any node of the body's syntax tree except
the ``Load``/``Store``/``Del`` markers.  A nested function is measured on its own and also
counts in the function around it; a body of only a docstring or ``...`` is left out.  The codebases we compare with (warehouse, devpi, datasette,
Kinto) read at 4.5 to 6.4 nodes per line overall; the goal here is no function above 8.
With ``--max``, the exit status is 1 when a function is above it.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

DEFAULT_PATHS = ("col_core", "plugins")
MARKERS = (ast.Load, ast.Store, ast.Del)


class Density(NamedTuple):
    path: str
    line: int
    name: str
    nodes: int
    lines: int

    @property
    def per_line(self) -> float:
        return self.nodes / max(self.lines, 1)


def code_lines(source: str) -> set[int]:
    """Numbers of the lines that hold a token other than a comment or a line break."""
    quiet = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in quiet and token.type != tokenize.ENDMARKER:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines


def body_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """The function's statements without its docstring (the signature is not counted)."""
    body = function.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            return body[1:]
    return body


def node_count(statements: list[ast.stmt]) -> int:
    return sum(
        1
        for statement in statements
        for node in ast.walk(statement)
        if not isinstance(node, MARKERS)
    )


def functions_of(path: Path) -> Iterator[Density]:
    source = path.read_text()
    with_code = code_lines(source)
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = body_of(node)
        if not body or all(isinstance(statement, ast.Expr | ast.Pass) for statement in body):
            continue  # an interface's method or a stub: nothing but a signature
        span = set(range(body[0].lineno, (body[-1].end_lineno or body[-1].lineno) + 1))
        yield Density(str(path), node.lineno, node.name, node_count(body), len(span & with_code))


def overall(files: list[Path]) -> float:
    """Nodes per line of code over whole files, as the comparison with other codebases."""
    nodes = lines = 0
    for file in files:
        source = file.read_text()
        tree = ast.parse(source, str(file))
        nodes += sum(1 for node in ast.walk(tree) if not isinstance(node, MARKERS))
        lines += len(code_lines(source))
    return nodes / max(lines, 1)


def python_files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        yield from (file for file in files if "migrations" not in file.parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--top", type=int, default=20, help="how many functions to list")
    parser.add_argument("--max", type=float, help="fail when a function is denser than this")
    parser.add_argument("--min-lines", type=int, default=1, help="leave out shorter functions")
    arguments = parser.parse_args(argv)

    files = list(python_files(arguments.paths))
    measured = [
        density
        for file in files
        for density in functions_of(file)
        if density.lines >= arguments.min_lines
    ]
    measured.sort(key=lambda density: density.per_line, reverse=True)
    for density in measured[: arguments.top]:
        where = f"{density.path}:{density.line}"
        figures = f"{density.per_line:5.1f}  {density.nodes:5d} nodes {density.lines:4d} lines"
        print(f"{figures}  {where} {density.name}")
    limit = arguments.max
    above = [density for density in measured if limit and density.per_line > limit]
    print(f"{overall(files):.1f} nodes per line overall; {len(measured)} functions", end="")
    print(f", {len(above)} above {limit}" if limit else "")
    if not above:
        return 0
    report_above(above, limit, arguments.min_lines)
    return 1


def report_above(above: list[Density], limit: float, min_lines: int) -> None:
    """Name, on standard error, each function denser than ``limit`` and what to do about it."""
    print(
        f"\n{len(above)} function(s) of {min_lines} lines or more have more than {limit:g} "
        "AST nodes per line of code:",
        file=sys.stderr,
    )
    for density in above:
        where = f"{density.path}:{density.line}"
        print(f"  {where} {density.name}: {density.per_line:.1f} per line", file=sys.stderr)
    print(
        'Unpack each into named steps (docs/plugins.md, "Lint and types"): intermediate '
        "values with names, early returns, small helpers named for what they decide.",
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
