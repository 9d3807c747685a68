//! The read-only check's two readers against each other on any text: a statement the check
//! lets through never has a dangerous word that sqlparser's tokenizer reads as code and the
//! hand lexer does not (docs/safety.md, "the statement check"). Never a panic either.
#![no_main]

use dbdock_core::{Dialect, differential_check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite, Dialect::Mssql] {
        if let Err(e) = differential_check(dialect, text) {
            panic!("{e}");
        }
    }
});
