"""PDF rendering with WeasyPrint: plain data in, bytes out, no database and no Flask.

These functions run in whatever process renders (a web request for one letter, worker processes
for a batch), so they take frozen dataclasses and return bytes. WeasyPrint is imported inside the
functions that need it: importing it costs about a second and most `flask` commands never render.
Every resource a document loads goes through `fetcher.AppOnlyFetcher`, which serves the app's own
static files and the in-memory assets handed in, and nothing else.
"""
