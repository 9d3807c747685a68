"""MongoDB through the MCP endpoint (against SecantusDB here, real MongoDB in the optional
services workflow): queries in shell syntax and as documents, inferred columns in
search-objects and the resources, and read-only enforced on every write form."""

import json
import os

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from conftest import dbdock, run, session_over

MONGO_URL = os.environ.get("DBDOCK_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017/?directConnection=true")


@pytest.fixture(scope="module")
def mongo(world):
    client = MongoClient(MONGO_URL, serverSelectionTimeoutMS=5000)
    name = f"dbdock_mcp_{os.getpid()}"
    try:
        client.drop_database(name)
    except PyMongoError as e:
        pytest.fail(f"MongoDB (SecantusDB, started by scripts/test.sh) is not reachable at {MONGO_URL}: {e}")
    db = client[name]
    db.orders.insert_many([
        {"_id": 1, "customer": {"name": "Ada", "city": "Oslo"}, "total": 12.5, "status": "open", "items": [{"sku": "A"}]},
        {"_id": 2, "customer": {"name": "Grace", "city": "Rome"}, "total": 99, "status": "shipped", "items": []},
        {"_id": 3, "customer": {"name": "Linus"}, "total": 5, "status": "open"},
    ])
    base = MONGO_URL.replace("/?", f"/{name}?")
    dbdock(world.home, "profile", "add", "mongo", "--url", base)
    dbdock(world.home, "profile", "add", "mongo_rw", "--url", base, "--access", "read-write")
    yield db
    client.drop_database(name)
    for profile in ["mongo", "mongo_rw"]:
        dbdock(world.home, "profile", "rm", profile, check=False)
    client.close()


def test_queries_schema_and_resources(world, mongo):
    async def body():
        async with session_over("stdio", world) as s:
            listed = await s.ok("list-connections")
            engines = {c["connectionId"]: c["engine"] for c in listed["connections"]}
            assert engines["mongo"] == "mongodb"
            rows = await s.ok("execute-query", connectionId="mongo",
                              query="db.orders.find({status: 'open'}).sort({total: -1}).project({_id: 1, total: 1})")
            assert rows["rows"] == [[1, 12.5], [3, 5]]
            rows = await s.ok("execute-query", connectionId="mongo",
                              query='{"aggregate": "orders", "pipeline": [{"$group": {"_id": "$status", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}], "cursor": {}}')
            assert rows["rows"] == [["open", 2], ["shipped", 1]]
            rows = await s.ok("execute-query", connectionId="mongo", query='[{"$match": {"total": {"$gt": 10}}}, {"$count": "n"}]', params=["orders"])
            assert rows["rows"] == [[2]]
            rows = await s.ok("execute-query", connectionId="mongo", query="db.orders.distinct('customer.city')")
            assert sorted(r[0] for r in rows["rows"]) == ["Oslo", "Rome"]

            bad = await s.error("execute-query", connectionId="mongo", query="db.orders.find({status: 'open'")
            assert bad["code"] == "INVALID_INPUT" and "line 1" in bad["message"]

            names = await s.ok("search-objects", connectionId="mongo", pattern="ord*")
            assert names["objects"] == [{"name": "orders", "kind": "table"}]
            columns = await s.ok("search-objects", connectionId="mongo", objectType="column", pattern="customer.*")
            assert {c["column"] for c in columns["columns"]} == {"customer.name", "customer.city"}
            table = json.loads((await s.session.read_resource("database://mongo/tables/orders")).contents[0].text)
            by_name = {c["name"]: c for c in table["columns"]}
            assert by_name["total"]["type"] in ("double|int", "int|double")
            assert by_name["customer.city"]["nullable"] is True
            assert table["primary_key"] == ["_id"]

    run(body)


def test_read_only_refuses_every_write_form(world, mongo):
    async def body():
        async with session_over("stdio", world) as s:
            for query, params in [
                ("db.orders.insertOne({_id: 9})", []),
                ("db.orders.deleteMany({})", []),
                ('{"delete": "orders", "deletes": [{"q": {}, "limit": 0}]}', []),
                ("{collection: 'orders', operation: {updateMany: {filter: {}, update: {$set: {total: 0}}}}}", []),
            ]:
                err = await s.error("execute-update", connectionId="mongo", query=query, params=params)
                assert err["code"] == "READ_ONLY_VIOLATION", (query, err)
            for query in [
                "db.orders.aggregate([{$out: 'stolen'}])",
                "db.orders.find({$where: 'sleep(100) || true'})",
                "db.orders.updateOne({_id: 1}, {$set: {total: 0}})",
                '{"drop": "orders"}',
            ]:
                err = await s.error("execute-query", connectionId="mongo", query=query)
                assert err["code"] == "READ_ONLY_VIOLATION", (query, err)
            # The read-write profile may write.
            done = await s.ok("execute-update", connectionId="mongo_rw", query="db.orders.updateOne({_id: 3}, {$set: {status: 'shipped'}})")
            assert done["rows_affected"] == 1

    run(body)
    assert mongo.orders.count_documents({}) == 3
    assert sorted(mongo.list_collection_names()) == ["orders"]
    assert mongo.orders.find_one({"_id": 1})["total"] == 12.5
    assert mongo.orders.find_one({"_id": 3})["status"] == "shipped"
