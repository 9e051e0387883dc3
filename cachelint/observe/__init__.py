"""cachelint's pytest plugin: it watches the real cache clients and the database while a
project's own tests run, and reports the caching bugs it saw happen, each with the code of
the static rule that describes it, the test, the key and the first frame of project code.

Off unless `pytest --cachelint`. It reads the library tables (`cachelint.model.spec`,
`cachelint.model.libraries`) for what a TTL means, and nothing else of the linter.

- `plugin`: the pytest hooks and options, the report and the terminal summary;
- `observer`: what was seen, and the judgment of each observation;
- `ttl`: what a TTL passed at run time means to the client that received it;
- `sql`: the tables a SQL statement reads or writes;
- `frames`: the first frame of project code;
- `probes`: the wrappers put on each cache library and database layer;
- `databases`: the sqlite3, psycopg and psycopg2 connections a project opens without an ORM.
"""
