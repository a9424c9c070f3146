"""How the text report may draw on the terminal it goes to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """How the text report may draw: colour (a terminal without NO_COLOR) and Unicode marks."""

    color: bool = False
    unicode: bool = True

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def good(self, text: str) -> str:
        return self.paint(text, "32")

    def bad(self, text: str) -> str:
        return self.paint(text, "31")

    def dim(self, text: str) -> str:
        return self.paint(text, "2")

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    @property
    def tick(self) -> str:
        return "✓" if self.unicode else "+"

    @property
    def cross(self) -> str:
        return "✗" if self.unicode else "x"
