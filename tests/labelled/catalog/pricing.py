"""Price lists and product pages of a wholesale catalogue, cached in Redis."""
import json

import redis

from .db import category_tree, price_list, product_page, stock_summary, supplier_terms

r = redis.Redis(host="redis-catalog")

PAGE_TTL = 600


def price_list_key(customer_group, currency):
    return f"prices:{customer_group}:{currency}"


def prices_for(customer_group, currency):
    raw = r.get(price_list_key(customer_group, currency))
    if raw is None:
        raw = json.dumps(price_list(customer_group, currency))
        r.set(price_list_key(customer_group, currency), raw, ex=PAGE_TTL)
    return json.loads(raw)


def product(sku, locale):
    raw = r.get(f"product:{sku}:{locale}")
    if raw is not None:
        return json.loads(raw)
    raw = json.dumps(product_page(sku, locale))
    r.set(f"products:{sku}:{locale}", raw, ex=PAGE_TTL)  # expect: CL015
    return json.loads(raw)


def supplier(supplier_id, region):
    raw = r.get("supplier:%s:%s" % (supplier_id, region))
    if raw is None:
        raw = json.dumps(supplier_terms(supplier_id, region))
        r.set(f"supplier:{supplier_id}:{region}", raw, ex=PAGE_TTL)
    return json.loads(raw)


def stock(sku, warehouse):
    raw = r.get(f"stock:{warehouse}:{sku}")
    if raw is None:
        raw = json.dumps(stock_summary(sku, warehouse))
        r.set(f"stock:{sku}:{warehouse}", raw, ex=60)  # expect: CL015
    return json.loads(raw)


def categories(locale):
    raw = r.get(f"categories:{locale}")
    if raw is None:
        raw = json.dumps(category_tree(locale))
        r.set(f"categories:{locale}", raw, ex=3600)
        r.set(f"categories:{locale}:size", len(raw), ex=3600)
    return json.loads(raw)


def category_page(slug, page, locale):
    raw = r.get(f"category-page:{slug}:{page}:{locale}")
    if raw is None:
        raw = json.dumps(category_tree(locale).get(slug, [])[page * 50:(page + 1) * 50])
        r.set(f"category-page:{slug}:{page}", raw, ex=PAGE_TTL)  # expect: CL015
    return json.loads(raw)
