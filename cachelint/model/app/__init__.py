"""The application layer: what the code around the caches does. DB writes, commits and
transactions (`db`, `db_writes`), the SQL they run (`sql`), the entities they change
(`entities`), what a cache write stores (`stored`), routes and views (`views`), request
input (`taint`), the user code runs for (`users`), and I/O (`io`). Built on `core` and
`cache`.
"""
