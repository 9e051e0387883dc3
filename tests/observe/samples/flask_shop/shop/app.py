from flask import Flask, jsonify
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shop import FIXED, caching


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    price: Mapped[int] = mapped_column(Integer)


def create_app(database):
    app = Flask(__name__)
    engine = create_engine(f"sqlite:///{database}")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Product(id=1, name="Kettle", price=30), Product(id=2, name="Toaster", price=45)])
        session.commit()
    caching.configure(app)
    caching.cache.clear()

    def product_row(pid):
        key = f"product:{pid}"
        row = caching.recall(key)
        if row is None:
            with Session(engine) as session:
                product = session.get(Product, pid)
                row = {"name": product.name, "price": product.price}
            caching.remember(key, row, 60)
        return row

    @app.get("/products/<int:pid>")
    def show(pid):
        return jsonify(product_row(pid))

    @app.post("/products/<int:pid>/price/<int:price>")
    def reprice(pid, price):
        with Session(engine) as session:
            session.get(Product, pid).price = price
            session.flush()
            if not FIXED:
                caching.forget(f"product:{pid}")  # planted CL006: before the commit
            session.commit()
        if FIXED:
            caching.forget(f"product:{pid}")
        return "", 204

    @app.post("/products/<int:pid>/name/<name>")
    def rename(pid, name):
        with Session(engine) as session:
            session.execute(select(Product).where(Product.id == pid)).scalar_one().name = name
            session.commit()
        if FIXED:
            caching.forget(f"product:{pid}")
        return "", 204  # planted CL010: the cached row is kept

    @app.get("/featured")
    def featured():
        # planted CL002: Flask-Caching's timeout 0 means "never expires"
        caching.remember("featured:home", [1, 2], 600 if FIXED else 0)
        return jsonify(caching.recall("featured:home"))

    @app.get("/visitors")
    def visitors():
        client = caching.raw_client()
        client.set("visitors:today", 1, ex=86400 if FIXED else 0)  # planted CL013: Redis rejects EX 0
        return "", 204

    return app
