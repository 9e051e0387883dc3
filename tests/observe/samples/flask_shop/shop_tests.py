import pytest
import redis
from shop import FIXED


def test_show(client):
    assert client.get("/products/1").json == {"name": "Kettle", "price": 30}
    assert client.get("/products/1").json == {"name": "Kettle", "price": 30}


def test_reprice(client):
    client.get("/products/1")
    client.post("/products/1/price/35")
    assert client.get("/products/1").json["price"] == 35


def test_rename(client):
    client.get("/products/2")
    client.post("/products/2/name/Grill")
    client.get("/products/2")  # the planted bug serves the old name; the test does not look


def test_featured(client):
    assert client.get("/featured").json == [1, 2]


def test_visitors(client):
    if FIXED:
        assert client.get("/visitors").status_code == 204
    else:
        with pytest.raises(redis.ResponseError):
            client.get("/visitors")
