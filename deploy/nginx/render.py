#!/usr/bin/env python3
"""Fill the @NAME@ placeholders of an nginx template (deploy/nginx/*.conf) and print the result.

    python3 deploy/nginx/render.py TEMPLATE NAME=VALUE ...

A name given more than once repeats each line that holds it, once per value (the replicas, the listen
addresses). Every placeholder must be given and every name used: a typo fails here, not in nginx.
Standard library only, so it runs on a proxy host without the app.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(template: str, values: Mapping[str, Sequence[str]]) -> str:
    """`template` with every placeholder outside comments filled; ValueError names a missing or unused one."""
    lines = template.splitlines(keepends=True)
    used = {name for line in lines if not _is_comment(line) for name in PLACEHOLDER.findall(line)}
    if missing := sorted(used - set(values)):
        raise ValueError(f"no value for {', '.join(missing)}")
    if unused := sorted(set(values) - used):
        raise ValueError(f"the template has no {', '.join(unused)}")
    rendered = []
    for line in lines:
        if _is_comment(line):
            rendered.append(line)
            continue
        repeated = sorted({name for name in PLACEHOLDER.findall(line) if len(values[name]) > 1})
        if len(repeated) > 1:
            raise ValueError(f"one line repeats for both {' and '.join(repeated)}")
        for choice in values[repeated[0]] if repeated else [""]:
            chosen = {name: choice if name in repeated else given[0] for name, given in values.items()}
            rendered.append(_fill(line, chosen))
    return "".join(rendered)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _fill(line: str, chosen: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: chosen[match[1]], line)


def parse_assignments(arguments: Sequence[str]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for argument in arguments:
        name, equals, value = argument.partition("=")
        if not equals or not PLACEHOLDER.fullmatch(f"@{name}@"):
            raise ValueError(f"expected NAME=VALUE, got {argument!r}")
        if any(character in value for character in ";{}\n"):
            raise ValueError(f"{name} may not hold ; {{ }} or a line break")
        values.setdefault(name, []).append(value)
    return values


def main(argv: Sequence[str]) -> int:
    if len(argv) < 1:
        print("usage: render.py TEMPLATE NAME=VALUE ...", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(Path(argv[0]).read_text(encoding="utf-8"), parse_assignments(argv[1:])))
    except (OSError, ValueError) as error:
        print(f"error: {argv[0]}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
