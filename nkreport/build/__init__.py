"""The build: execute the stale chapters, render the book strictly, and make its figures, font,
README key figures, PDF and benchmark. Nothing here runs inside a chapter's kernel."""

from .book import ROOT, build

__all__ = ["ROOT", "build"]
