"""What every chapter shares: the chart style, words for claims, a chart's files, and the glue into pages."""
