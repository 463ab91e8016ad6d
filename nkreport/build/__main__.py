"""python -m nkreport.build: build the book (`make book`)."""

import sys

from .book import main

sys.exit(main())
