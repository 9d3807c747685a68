//! Integration tests of the engines against real servers (private PostgreSQL clusters
//! that the tests stop and start).

mod cancel;
mod live;
mod mongodb;
mod mssql;
mod mssql_server;
mod nats;
mod privileges;
mod redis;
