"""The web apps' request handlers, one family per module: the studio's pages, event form and uploads, runs, and
people's work (studio_*.py), and the review editor's (review.py). web/studio.py and web/review.py assemble them."""
