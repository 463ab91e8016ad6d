"""Sphinx extension: an incremental render that writes what a fresh one would.

nkreport.build.book renders incrementally only after a good build, and only when the sole changes
are to chapter files (prose). Sphinx then re-reads the changed chapters and writes them, the pages
whose figure numbers moved, and (with this extension) every page whose output could depend on
them and that Sphinx would otherwise leave as it was:

- pages holding a cross-reference to a label of the changed chapters that appeared, disappeared,
  moved, was renamed or renumbered (its text, its target, or a broken reference that must now
  fail the strict build);
- every page, when a changed chapter's title or sections changed (each page's navigation shows them).

And it writes no page that a fresh build would write the same: Sphinx also writes the root page
and the page whose toctree lists a changed chapter, whatever changed, for the sake of the
navigation; when no changed chapter's title or sections changed, they are the same bytes, and
are left as they are (a test compares every page with a fresh build's).

A {numref} to another page reads that page's doctree to find the figure it names; Sphinx unpickles
it afresh for every reference (a sixth of a full render), so here each page's is unpickled once
per build for that purpose, and only read.

The theme's Jinja templates are compiled once and kept (_build/.jinja-cache; Jinja checks each
template's source against the compiled code it keeps), not compiled again by every build.

Warnings: the last good build had none (-W makes any warning a failed build, and a failed build
leaves no output, so the next one is fresh), so an unchanged page has none to report again.

It also drops the '?v=<checksum>' Sphinx appends to myst-nb's stylesheet only when the file
already exists from an earlier build: its name carries its content hash already, and a fresh and
an incremental build must write the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx import addnodes

MYSTNB_CSS_QUERY = re.compile(r'(_static/mystnb\.[0-9a-f]+\.css)\?v=[0-9a-f]+')


def _labels_of(env, docnames) -> dict[str, tuple]:
    """Each label the documents define, with what a reference to it shows and points to."""
    std = env.get_domain("std")
    numbers = {}
    for doc in docnames:
        for figtype, ids in env.toc_fignumbers.get(doc, {}).items():
            numbers.update({(doc, node_id): (figtype, number) for node_id, number in ids.items()})
    labels = {}
    for name, (doc, node_id, title) in std.labels.items():
        if doc in docnames:
            labels[name] = (doc, node_id, title, numbers.get((doc, node_id)))
    for name, (doc, node_id) in std.anonlabels.items():
        if doc in docnames and name not in labels:
            labels[name] = (doc, node_id, None, numbers.get((doc, node_id)))
    return labels


def _outline(env, docname: str) -> str:
    title = env.titles.get(docname)
    toc = env.tocs.get(docname)
    return (title.astext() if title is not None else "") + "\n" + (toc.pformat() if toc is not None else "")


def on_env_before_read_docs(app, env, docnames) -> None:
    previous = getattr(env, "nkreport_refs", None)
    if previous is None:
        env.nkreport_refs = {}
    reread = set(docnames) & set(env.all_docs)  # changed, not new
    app.nkreport_before = {"docs": set(docnames), "labels": _labels_of(env, reread),
                           "outlines": {d: _outline(env, d) for d in reread}}


def on_doctree_read(app, doctree) -> None:
    env = app.env
    if not hasattr(env, "nkreport_refs"):
        env.nkreport_refs = {}
    env.nkreport_refs[env.docname] = sorted({node.get("reftarget", "") for node in doctree.findall(addnodes.pending_xref)})


def on_env_purge_doc(app, env, docname) -> None:
    getattr(env, "nkreport_refs", {}).pop(docname, None)


def on_env_merge_info(app, env, docnames, other) -> None:
    env.nkreport_refs = getattr(env, "nkreport_refs", {})
    for docname in docnames:
        if docname in getattr(other, "nkreport_refs", {}):
            env.nkreport_refs[docname] = other.nkreport_refs[docname]


def on_env_get_updated(app, env):
    """Run after Sphinx's own toctree collector has numbered the figures again (same event, earlier
    listener), so a renumbered figure is seen."""
    before = getattr(app, "nkreport_before", None)
    app.nkreport_before = None
    app.nkreport_only_updated = False
    if not before or not before["outlines"]:
        return []  # a fresh read: everything is written anyway
    changed = before["docs"]
    if any(_outline(env, d) != outline for d, outline in before["outlines"].items()):
        return sorted(env.all_docs)
    app.nkreport_only_updated = set(before["outlines"]) == changed  # no page added or removed
    now = _labels_of(env, changed)
    moved = {name for name in before["labels"].keys() | now.keys() if before["labels"].get(name) != now.get(name)}
    refs = getattr(env, "nkreport_refs", {})
    return sorted(d for d, targets in refs.items() if d not in changed and moved.intersection(targets))


def _write_only_updated(app) -> None:
    """Have the builder write only the pages read again and those the env-get-updated listeners
    named (Sphinx adds the root page and the changed pages' toctree parents), when the outlines
    are unchanged (app.nkreport_only_updated). The pages left out keep their entries in the
    search index as well, which Sphinx prunes for every page it is about to write."""
    builder = app.builder
    write, prepare_writing, write_serial = builder.write, builder.prepare_writing, builder._write_serial
    wanted: dict = {}

    def only_wanted(docnames):
        return docnames if wanted.get("docs") is None else [d for d in docnames if d in wanted["docs"]]

    def write_updated(build_docnames, updated_docnames, method="update"):
        wanted["docs"] = (set(build_docnames or ()) | set(updated_docnames)
                          if method == "update" and getattr(app, "nkreport_only_updated", False)
                          and build_docnames not in (None, ["__all__"]) else None)
        return write(build_docnames, updated_docnames, method)

    builder.write = write_updated
    builder.prepare_writing = lambda docnames: prepare_writing(set(only_wanted(docnames)))
    builder._write_serial = lambda docnames: write_serial(only_wanted(docnames))


def on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    _write_only_updated(app)
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None and environment.bytecode_cache is None:
        from jinja2 import FileSystemBytecodeCache

        folder = Path(app.outdir).parent / ".jinja-cache"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def on_write_started(app, builder) -> None:
    """Numbered references read each target page's doctree once (see above). Set on the domain
    only now, after Sphinx has pickled the environment, and dropped when the build ends."""
    std = app.env.get_domain("std")
    resolve = type(std)._resolve_numref_xref
    doctrees: dict = {}

    def read_only_doctree(docname):
        if docname not in doctrees:
            doctrees[docname] = app.env.get_doctree(docname)
        return doctrees[docname]

    class ReadOnlyDoctrees:
        """The environment as the numref resolver sees it: doctrees from the cache above."""

        def __init__(self, env):
            self._env = env

        def __getattr__(self, name):
            return getattr(self._env, name)

        get_doctree = staticmethod(read_only_doctree)

    def resolve_numref(env, *args):
        return resolve(std, ReadOnlyDoctrees(env), *args)

    std._resolve_numref_xref = resolve_numref
    app.nkreport_numref_domain = std


def on_build_finished(app, exception) -> None:
    std = getattr(app, "nkreport_numref_domain", None)
    if std is not None:
        std.__dict__.pop("_resolve_numref_xref", None)
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = MYSTNB_CSS_QUERY.sub(r"\1", text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", on_builder_inited)
    app.connect("write-started", on_write_started)
    app.connect("env-before-read-docs", on_env_before_read_docs)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("env-get-updated", on_env_get_updated)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
