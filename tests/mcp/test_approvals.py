"""Writes on connections whose AI access is `ask`: the MCP call waits while the user
decides in a terminal (`dbdock approvals`), sees a dry-run preview, and the statement runs
exactly once, only when approved. Real PostgreSQL, MariaDB and SQLite; a real MCP client
(the Python SDK, also answering through elicitation: 1.x, a 2025-era client, answers the
server's elicitation request; 2.x, at 2026-07-28, the `input_required` result, then retries)."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import datetime

import anyio
import pytest
from conftest import DBDOCK, Session, mariadb, psql, rpc, stdio_endpoint
from sdk import StdioServerParameters, connect, stdio, types

ENGINES = ["pg", "maria", "shop"]


class Approvals:
    """A home of its own (approvers present in one test must not make another wait) with
    one `ask` profile per engine over a table of three rows."""

    def __init__(self, world, home):
        self.world, self.home = world, home
        self.env = dict(world.env, DBDOCK_HOME=str(home), DBDOCK_APPROVAL_WAIT_SECS="30")
        self.sqlite_file = home / "ask.db"

    def cli(self, *args, check=True):
        out = subprocess.run([DBDOCK, *args], capture_output=True, text=True, env=self.env)
        if check:
            assert out.returncode == 0, f"dbdock {' '.join(args)}: {out.stderr}"
        return out

    def reset(self):
        psql(self.world.pg_db, "DROP TABLE IF EXISTS approval_demo; CREATE TABLE approval_demo (id int PRIMARY KEY, "
                               "name text); INSERT INTO approval_demo VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');")
        mariadb(self.world.my_db, "DROP TABLE IF EXISTS approval_demo; CREATE TABLE approval_demo (id INT PRIMARY KEY, "
                                  "name VARCHAR(20)); INSERT INTO approval_demo VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d');")
        with contextlib.closing(sqlite3.connect(self.sqlite_file)) as db:
            db.executescript("DROP TABLE IF EXISTS approval_demo; CREATE TABLE approval_demo (id INTEGER PRIMARY KEY, "
                             "name TEXT); INSERT INTO approval_demo VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d');")

    def names(self, engine):
        sql = "SELECT name FROM approval_demo ORDER BY id"
        if engine == "pg":
            return psql(self.world.pg_db, sql).split()
        if engine == "maria":
            return mariadb(self.world.my_db, sql).split()
        with contextlib.closing(sqlite3.connect(self.sqlite_file)) as db:
            return [r[0] for r in db.execute(sql)]

    def pending(self):
        return json.loads(self.cli("approvals", "list", "--format", "json").stdout)

    def show(self, request_id):
        return json.loads(self.cli("approvals", "show", str(request_id), "--format", "json").stdout)

    def wait_for_pending(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = self.pending()
            if pending:
                return pending[0]
            time.sleep(0.1)
        pytest.fail("no approval request appeared")


@pytest.fixture(scope="module")
def approvals(world, tmp_path_factory):
    home = tmp_path_factory.mktemp("approvals-home")
    a = Approvals(world, home)
    a.reset()
    urls = {
        "pg": f"postgres://postgres@127.0.0.1:5432/{world.pg_db}",
        "maria": f"mysql://root@127.0.0.1:3306/{world.my_db}",
        "shop": f"sqlite:{a.sqlite_file}",
    }
    for name, url in urls.items():
        a.cli("profile", "add", name, "--url", url, "--access", "ask")
        # The same connection whose writes wait only 2 s (the endpoint's default here is 30 s).
        a.cli("profile", "add", f"{name}_quick", "--url", url, "--access", "ask", "--approval-wait", "2")
    return a


@contextlib.contextmanager
def terminal_watch(a):
    """`dbdock approvals watch` in the background: someone is here to decide."""
    proc = subprocess.Popen([DBDOCK, "approvals", "watch", "--format", "json"], env=a.env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(0.5)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Left running, it would be "someone here to decide" for every later test.
            proc.kill()
            proc.wait()
            raise


@contextlib.asynccontextmanager
async def client(a, env=None, **session_args):
    params = StdioServerParameters(command=DBDOCK, args=["mcp"], env=env or a.env)
    with open(a.home / "stdio-stderr.log", "a") as errlog:
        async with connect(stdio(params, errlog), **session_args) as session:
            yield Session(session)


UPDATE = "UPDATE approval_demo SET name = upper(name) WHERE id IN (1, 2, 3)"


async def call_while(a, s, decide, query=UPDATE, params=None):
    """Calls execute-update on connection `s`…; while it waits, `decide(request)` runs in a
    thread. Returns the call's result and what `decide` returned."""
    outcome = {}

    async def call():
        outcome["result"] = await s[1].call("execute-update", connectionId=s[0], query=query, params=params or [])

    async with anyio.create_task_group() as tg:
        tg.start_soon(call)
        outcome["decided"] = await anyio.to_thread.run_sync(lambda: decide(a.wait_for_pending()))
    return outcome["result"], outcome["decided"]


def payload(result):
    return result.structuredContent if result.structuredContent is not None else json.loads(result.content[0].text)


@pytest.mark.parametrize("engine", ENGINES)
def test_approved_in_the_terminal_it_runs_once(approvals, engine):
    a = approvals
    a.reset()

    async def body():
        with terminal_watch(a) as watcher:

            def decide(request):
                # The table is unchanged while the user decides, and the watcher shows it.
                assert a.names(engine) == ["a", "b", "c", "d"]
                assert request["profile"] == engine and request["statement"] == UPDATE
                assert request["state"] == "pending" and request["client"] == "mcp", request
                assert json.loads(watcher.stdout.readline())["id"] == request["id"]
                a.cli("approvals", "approve", str(request["id"]))
                return request

            async with client(a) as s:
                result, request = await call_while(a, (engine, s), decide)
        assert not result.isError, result.content[0].text
        assert payload(result)["rows_affected"] == 3
        assert a.names(engine) == ["A", "B", "C", "d"]
        done = a.show(request["id"])
        assert done["state"] == "executed" and done["route"] == "terminal" and done["rows"] == 3, done
        # The call's audit row names its request and how it ended.
        audit = json.loads(a.cli("audit", "--format", "json").stdout)
        row = next(r for r in audit if r["tool"] == "execute-update")
        assert row["approval"] == f"request {request['id']} executed in terminal", row
        assert row["outcome"] == "ok" and row["rows"] == 3 and row["statement"] == UPDATE, row
        # A second approval of the same request runs nothing.
        again = a.cli("approvals", "approve", str(request["id"]), check=False)
        assert again.returncode != 0 and "executed" in again.stderr
        assert a.names(engine) == ["A", "B", "C", "d"]

    anyio.run(body)


@pytest.mark.parametrize("engine", ENGINES)
def test_denied_nothing_changes_and_the_client_gets_the_reason(approvals, engine):
    a = approvals
    a.reset()

    def decide(request):
        a.cli("approvals", "deny", str(request["id"]), "--reason", "not on a Friday")
        return request

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                result, request = await call_while(a, (engine, s), decide)
        assert result.isError
        error = result.structuredContent["error"]
        assert error["code"] == "PERMISSION_DENIED" and "not on a Friday" in error["message"], error
        assert a.names(engine) == ["a", "b", "c", "d"]
        assert a.show(request["id"])["state"] == "denied"

    anyio.run(body)


@pytest.mark.parametrize("engine", ENGINES)
def test_nobody_answers_timeout_and_nothing_changes(approvals, engine):
    a = approvals
    a.reset()

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                error = await s.error("execute-update", connectionId=f"{engine}_quick", query=UPDATE)
        assert error["code"] == "TIMEOUT" and "nothing was run" in error["message"], error
        assert a.names(engine) == ["a", "b", "c", "d"]
        expired = json.loads(a.cli("approvals", "list", "--all", "--format", "json").stdout)[0]
        assert expired["state"] == "expired"
        # It waited the profile's own 2 s, not the endpoint's 30 s: its deadline says so.
        asked_ms = datetime.fromisoformat(expired["created_at"].replace("Z", "+00:00")).timestamp() * 1000
        assert 1000 <= expired["expires_ms"] - asked_ms <= 5000, expired
        late = a.cli("approvals", "approve", str(expired["id"]), check=False)
        assert late.returncode != 0 and "expired" in late.stderr
        assert a.names(engine) == ["a", "b", "c", "d"]

    anyio.run(body)


def test_the_preview_shows_the_rows_before_and_after_without_changing_them(approvals):
    a = approvals
    a.reset()

    def decide(request):
        preview = request["preview"]
        assert preview["dry_run"] and preview["rows_affected"] == 3 and preview["error"] is None, preview
        changes = preview["changes"]
        assert changes["columns"] == ["id", "name"]
        assert sorted(changes["before"]) == [["1", "a"], ["2", "b"], ["3", "c"]], changes
        assert sorted(changes["after"]) == [["1", "A"], ["2", "B"], ["3", "C"]], changes
        # The dry run was rolled back: PostgreSQL still has the old values.
        assert a.names("pg") == ["a", "b", "c", "d"]
        shown = a.cli("approvals", "show", str(request["id"])).stdout
        assert "dry run: 3 row(s) affected, rolled back" in shown and "before:" in shown and "after:" in shown, shown
        a.cli("approvals", "deny", str(request["id"]))

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                await call_while(a, ("pg", s), decide)

    anyio.run(body)


@pytest.mark.parametrize("engine, note", [("maria", "not shown on this engine"), ("shop", None)])
def test_previews_say_what_each_engine_shows(approvals, engine, note):
    a = approvals
    a.reset()
    seen = {}

    def decide(request):
        seen.update(request["preview"])
        a.cli("approvals", "deny", str(request["id"]))

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                await call_while(a, (engine, s), decide, query="UPDATE approval_demo SET name = ? WHERE id = ?",
                                 params=["z", 4])
                # DDL commits implicitly on MariaDB: never dry-run there.
                if engine == "maria":
                    await call_while(a, (engine, s), decide, query="ALTER TABLE approval_demo ADD COLUMN x INT")
                    assert not seen["dry_run"] and "cannot be previewed" in seen["note"], seen

    anyio.run(body)
    assert a.names(engine) == ["a", "b", "c", "d"]


def test_a_statement_that_fails_its_dry_run_can_only_be_denied(approvals):
    a = approvals

    def decide(request):
        error = request["preview"]["error"]
        assert "no_such_table" in error["message"] and not request["preview"]["changes"], request["preview"]
        refused = a.cli("approvals", "approve", str(request["id"]), check=False)
        assert refused.returncode != 0 and "can only be denied" in refused.stderr
        a.cli("approvals", "deny", str(request["id"]))

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                result, _ = await call_while(a, ("pg", s), decide, query="UPDATE no_such_table SET x = 1")
        assert result.isError and result.structuredContent["error"]["code"] == "PERMISSION_DENIED"

    anyio.run(body)


def test_through_elicitation_when_nobody_is_in_db_dock(approvals):
    """A client that declared elicitation asks its user (in either era): accept runs, decline does not."""
    a = approvals
    a.reset()
    answers = []

    async def answer(context, params):
        assert "approval_demo" in params.message and "dry run: 3 row(s) affected" in params.message, params.message
        return answers.pop(0)

    async def body():
        async with client(a, elicitation_callback=answer) as s:
            answers.append(types.ElicitResult(action="decline"))
            error = await s.error("execute-update", connectionId="pg", query=UPDATE)
            assert error["code"] == "PERMISSION_DENIED", error
            assert a.names("pg") == ["a", "b", "c", "d"]
            answers.append(types.ElicitResult(action="accept", content={"approve": True}))
            done = await s.ok("execute-update", connectionId="pg", query=UPDATE)
            assert done["rows_affected"] == 3
        assert a.names("pg") == ["A", "B", "C", "d"]
        recent = json.loads(a.cli("approvals", "list", "--all", "--format", "json").stdout)
        assert [(r["state"], r["route"]) for r in recent[:2]] == [("executed", "client"), ("denied", "client")]

    anyio.run(body)


def test_with_nobody_to_ask_the_call_fails_at_once(approvals):
    a = approvals

    async def body():
        filed = len(json.loads(a.cli("approvals", "list", "--all", "--format", "json").stdout))
        async with client(a) as s:
            error = await s.error("execute-update", connectionId="pg", query=UPDATE)
        assert error["code"] == "PERMISSION_DENIED" and "dbdock approvals watch" in error["message"], error
        # Refused before anything was queued: nothing waited for an answer.
        assert len(json.loads(a.cli("approvals", "list", "--all", "--format", "json").stdout)) == filed

    anyio.run(body)


def test_a_killed_endpoint_leaves_its_request_abandoned(approvals):
    a = approvals
    a.reset()
    with terminal_watch(a):
        with stdio_endpoint(a.env) as proc:
            rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "execute-update", "arguments": {"connectionId": "pg", "query": UPDATE}}})
            request = a.wait_for_pending()
        deadline = time.monotonic() + 15
        while a.show(request["id"])["state"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert a.show(request["id"])["state"] == "abandoned"
        refused = a.cli("approvals", "approve", str(request["id"]), check=False)
        assert refused.returncode != 0 and "abandoned" in refused.stderr
    assert a.names("pg") == ["a", "b", "c", "d"]


def test_a_tampered_request_does_not_run(approvals):
    """The statement that runs must hash as the one approved: editing the queue's row in
    the store (here its binding) makes the approval worthless."""
    a = approvals
    a.reset()

    def decide(request):
        with contextlib.closing(sqlite3.connect(a.home / "dbdock.db")) as db:
            db.execute("UPDATE approvals SET binding = 'forged' WHERE id = ?", (request["id"],))
            db.commit()
        a.cli("approvals", "approve", str(request["id"]))

    async def body():
        with terminal_watch(a):
            async with client(a) as s:
                result, _ = await call_while(a, ("pg", s), decide)
        assert result.isError and "does not match" in result.structuredContent["error"]["message"]
        assert a.names("pg") == ["a", "b", "c", "d"]

    anyio.run(body)


def test_mongodb_shows_how_many_documents_the_filter_matches(approvals):
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    url = os.environ.get("DBDOCK_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017/?directConnection=true")
    mongo = MongoClient(url, serverSelectionTimeoutMS=5000)
    name = f"dbdock_approvals_{os.getpid()}"
    try:
        mongo.drop_database(name)
    except PyMongoError as e:
        pytest.fail(f"MongoDB (SecantusDB, started by scripts/test.sh) is not reachable at {url}: {e}")
    orders = mongo[name].orders
    orders.insert_many([{"_id": 1, "status": "open"}, {"_id": 2, "status": "open"}, {"_id": 3, "status": "shipped"}])
    a = approvals
    a.cli("profile", "add", "mongo", "--url", url.replace("/?", f"/{name}?"), "--access", "ask")
    questions = []

    async def answer(context, params):
        questions.append(params.message)
        return types.ElicitResult(action="accept" if len(questions) > 1 else "decline", content={"approve": True})

    async def body():
        update = "db.orders.updateMany({status: 'open'}, {$set: {status: 'held'}})"
        async with client(a, elicitation_callback=answer) as s:
            assert (await s.error("execute-update", connectionId="mongo", query=update))["code"] == "PERMISSION_DENIED"
            assert orders.count_documents({"status": "open"}) == 2
            done = await s.ok("execute-update", connectionId="mongo", query=update)
            assert done["rows_affected"] == 2
        assert "2 document(s) in orders match the filter now" in questions[0], questions[0]
        assert orders.count_documents({"status": "held"}) == 2

    try:
        anyio.run(body)
    finally:
        mongo.drop_database(name)
        a.cli("profile", "rm", "mongo", check=False)
        mongo.close()

