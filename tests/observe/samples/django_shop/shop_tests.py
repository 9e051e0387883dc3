from shop import services


def test_product_is_cached():
    assert services.product(1) == ["Kettle", 30]
    assert services.product(1) == ["Kettle", 30]


def test_rename():
    services.product(1)
    services.rename(1, "Teapot")
    assert services.product(1) == ["Teapot", 30]


def test_reprice():
    services.product(2)
    services.reprice(2, 50)
    services.product(2)  # the planted bug serves the old price; the test does not look


def test_stock_out():
    assert services.stock(1) == 0
    assert services.stock(1) == 0


def test_banner():
    services.banner("Spring sale")


def test_product_keys():
    services.product(1)
    assert services.product_keys() == [b":1:product:1"]


def test_discount_refused():
    services.discount(1, 10)
