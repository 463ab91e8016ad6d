"""The build: execute the stale chapters, render the book strictly, and make its figures, font,
README key figures, PDF and benchmark. Nothing here runs inside a chapter's kernel."""

__all__ = ["ROOT", "build"]


def __getattr__(name: str):
    # Imported on first use: a no-change build answers from nkreport.build.sources alone.
    if name in __all__:
        from . import book

        return getattr(book, name)
    raise AttributeError(f"module 'nkreport.build' has no attribute {name!r}")
