"""Least privilege (docs/safety.md, "least privilege"): list-connections says whether each
connection's login can write, and a profile's read-only AI login, made with
`dbdock profile ai-login --create --yes`, is the login every MCP call uses."""

import os

from conftest import dbdock, psql, run, session_over


def test_list_connections_reports_whether_the_login_can_write(world):
    async def body():
        async with session_over("stdio", world) as s:
            listed = await s.ok("list-connections")
            by_id = {c["connectionId"]: c for c in listed["connections"]}
            # The superuser and a MariaDB login with INSERT/UPDATE/DELETE can write.
            assert by_id["pg"]["loginCanWrite"] is True, by_id["pg"]
            assert "superuser" in by_id["pg"]["loginEvidence"]
            assert by_id["maria_pw"]["loginCanWrite"] is True, by_id["maria_pw"]
            assert any("INSERT" in e for e in by_id["maria_pw"]["loginEvidence"])
            # A login that cannot even connect: unknown, not a guess.
            assert by_id["maria_bad"]["loginCanWrite"] == "unknown"
            # PostgreSQL and MariaDB have a read-only transaction behind the filter: no warning.
            assert "warning" not in by_id["pg"]
    run(body)


def test_the_ai_login_is_what_mcp_uses(world):
    login = f"dbdock_ai_mcp_{os.getpid()}"
    psql("postgres", f"DROP ROLE IF EXISTS {login};")
    url = f"postgres://postgres@127.0.0.1:5432/{world.pg_db}"
    dbdock(world.home, "profile", "add", "pg_lp", "--url", url)
    try:
        out = dbdock(world.home, "profile", "ai-login", "pg_lp", "--create", "--user", login, "--yes")
        assert f"created {login}" in out.stdout, out.stdout

        async def body():
            async with session_over("stdio", world, "--profile", "pg_lp") as s:
                listed = await s.ok("list-connections")
                [entry] = listed["connections"]
                assert entry["loginCanWrite"] is False, entry
                who = await s.ok("execute-query", connectionId="pg_lp", query="SELECT current_user::text AS me")
                assert who["rows"] == [[login]], who
                rows = await s.ok("execute-query", connectionId="pg_lp", query="SELECT count(*) FROM customers")
                assert rows["rows"] == [[3]], rows
                # execute-update is refused for a read-only profile before the server is asked.
                err = await s.error("execute-update", connectionId="pg_lp", query="DELETE FROM customers")
                assert err["code"] == "READ_ONLY_VIOLATION", err
        run(body)
        # The app and the CLI keep the profile's own login.
        out = dbdock(world.home, "query", "--profile", "pg_lp", "--format", "json", "SELECT current_user::text")
        assert '"postgres"' in out.stdout, out.stdout
    finally:
        dbdock(world.home, "profile", "ai-login", "pg_lp", "--remove", "--drop", "--yes", check=False)
        dbdock(world.home, "profile", "rm", "pg_lp", check=False)
        psql("postgres", f"DROP OWNED BY {login} CASCADE; DROP ROLE IF EXISTS {login};"
             if psql("postgres", f"SELECT 1 FROM pg_roles WHERE rolname = '{login}'").strip() else "SELECT 1;")
    assert psql("postgres", f"SELECT count(*) FROM pg_roles WHERE rolname = '{login}'").strip() == "0"
