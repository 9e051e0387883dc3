"""The cache layer: which expressions are cache clients (`clients`), the operations and
decorators a module applies to them (`operations`, `decorators`, their facts in
`facts`), what a TTL argument means (`ttl`), what keys are made of (`keys`), and what
writes put in (`fills`). Built on `core`; imports nothing from `app`.
"""
