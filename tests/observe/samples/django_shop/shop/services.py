from django.db import connection, transaction

from shop import FIXED
from shop.caching import cache_for

entries = cache_for()


def product(pid):
    key = f"product:{pid}"
    row = entries.read(key)
    if row is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, price FROM products WHERE id = %s", [pid])
            row = list(cursor.fetchone())
        entries.store(key, row, 60 if FIXED else None)  # planted CL002: never expires
    return row


def rename(pid, name):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE products SET name = %s WHERE id = %s", [name, pid])
        if FIXED:
            transaction.on_commit(lambda: entries.forget(f"product:{pid}"))
        else:
            entries.forget(f"product:{pid}")  # planted CL009: before the commit


def reprice(pid, price):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE products SET price = %s WHERE id = %s", [price, pid])
    if FIXED:
        entries.forget(f"product:{pid}")
    # planted CL010: the cached row is not invalidated


def stock(pid):
    key = f"stock:{pid}"
    count = entries.read(key)
    if (count is None) if FIXED else (not count):  # planted CL001
        with connection.cursor() as cursor:
            cursor.execute("SELECT count FROM stock WHERE product_id = %s", [pid])
            count = cursor.fetchone()[0]
        entries.store(key, count, 60)
    return count


def banner(text):
    entries.store("banner:home", text, 300 if FIXED else 0)  # planted CL013: 0 does not cache


def product_keys():
    return entries.scan_like("*:product:*") if FIXED else entries.keys_like("*:product:*")  # planted CL007


def discount(pid, price):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE products SET price = %s WHERE id = %s", [price, pid])
            if FIXED:
                transaction.on_commit(lambda: entries.store(f"price:{pid}", price, 60))
            else:
                entries.store(f"price:{pid}", price, 60)  # planted CL009, then rolled back
            raise ValueError("the discount is not allowed")
    except ValueError:
        pass
