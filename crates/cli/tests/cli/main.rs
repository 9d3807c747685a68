//! Black-box tests of the `dbdock` binary against real servers: PostgreSQL and MariaDB on
//! their local ports (override with DBDOCK_TEST_PG_URL / DBDOCK_TEST_MYSQL_URL) and SQLite
//! files. A test whose server is down fails and names the server; none is skipped.

mod bad_input;
mod credentials;
mod least_privilege;
mod profiles;
mod round_trip;
mod schema;
mod support;
mod watch;
