"""The cache layer: which expressions are cache clients (`clients`), the operations and
decorators a module applies to them (`facts`), what a TTL argument means (`ttl`), and what
keys are made of (`keys`). Built on `core`; imports nothing from `app`.
"""
