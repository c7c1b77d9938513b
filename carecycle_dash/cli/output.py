"""Where a command's `--output` goes when it is `-`: standard output, written unbuffered so a write error
(a closed pipe, a full device) is the command's one-line failure and not a second one at exit."""

from __future__ import annotations

import sys
from typing import Final

from carecycle_dash.output.export import write_to_descriptor

STANDARD_OUTPUT_FLAG: Final = "-"


class StandardOutput:
    """The `--output -` target; reads as "standard output" in a command's summary line."""

    def __str__(self) -> str:
        return "standard output"


STANDARD_OUTPUT: Final = StandardOutput()


def write_to_standard_output(data: bytes) -> None:
    """All of `data` to the process's standard output, after whatever text was already buffered there."""
    sys.stdout.flush()
    write_to_descriptor(sys.stdout.fileno(), data)
