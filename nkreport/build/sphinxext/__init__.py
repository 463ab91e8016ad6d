"""The book's Sphinx extensions: citable pages with inline charts (pages), and the bibliography's labels (bibstyle)."""
