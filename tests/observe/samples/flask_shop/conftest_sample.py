import os

import pytest
from shop.app import create_app


@pytest.fixture
def client():
    app = create_app(os.environ["SHOP_DATABASE"])
    app.testing = True  # exceptions reach the test
    return app.test_client()
