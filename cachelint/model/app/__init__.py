"""The application layer: what the code around the caches does. DB writes, commits and
transactions (`db`, `db_writes`, `db_sql`), the entities they change (`entities`), what a
cache write stores (`stored`, `sql`), routes and views (`views`), request input (`taint`),
the user code runs for (`users`), and I/O (`io`). Built on `core` and `cache`.
"""
