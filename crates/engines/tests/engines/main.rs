//! Integration tests of the engines against real servers (private PostgreSQL clusters
//! that the tests stop and start).

mod cancel;
mod contract;
mod kafka;
mod live;
mod mongodb;
mod mongodb_read_only;
mod mssql;
mod mssql_read_only;
mod mssql_server;
mod nats;
mod prepared;
mod privileges;
mod reconnect;
mod redis;
mod redis_keys;
mod result_sets;
mod sql_read_only;
mod sqlite_read_only;
mod table_edit;
