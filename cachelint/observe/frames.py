"""The first frame of project code on the stack: where a report points."""
from __future__ import annotations

import os
import sys
import sysconfig
from dataclasses import dataclass
from types import FrameType

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARIES = tuple(
    os.path.abspath(path) + os.sep
    for path in {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)


@dataclass(frozen=True)
class Place:
    filename: str
    row: int
    column: int
    end_row: int
    end_column: int


class ProjectFrames:
    """Frames under the project's root, outside installed libraries and this package."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root) + os.sep
        self._verdicts: dict[str, bool] = {}

    def _is_project(self, filename: str) -> bool:
        verdict = self._verdicts.get(filename)
        if verdict is None:
            path = os.path.abspath(filename)
            verdict = (
                path.startswith(self.root)
                and not path.startswith(_HERE)
                and not path.startswith(_LIBRARIES)
                and f"{os.sep}site-packages{os.sep}" not in path
            )
            self._verdicts[filename] = verdict
        return verdict

    def first(self) -> Place | None:
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            if self._is_project(frame.f_code.co_filename):
                return _place(frame)
            frame = frame.f_back
        return None


def _place(frame: FrameType) -> Place:
    row, column, end_row, end_column = frame.f_lineno, 0, frame.f_lineno, 0
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None and frame.f_lasti >= 0:
        for index, position in enumerate(positions()):
            if index == frame.f_lasti // 2:
                if None not in position:
                    row, end_row, column, end_column = position
                break
    return Place(frame.f_code.co_filename, row, column + 1, end_row, end_column + 1)
