"""A small Flask + SQLAlchemy shop whose caches sit behind its own wrapper module
(shop.caching) and a factory, so that a static run is blind to them. With SHOP_FIXED=1
each planted bug is replaced by its fix."""
import os

FIXED = os.environ.get("SHOP_FIXED") == "1"
