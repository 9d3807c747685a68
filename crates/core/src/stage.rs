//! The stages of one call (profile check, audit row, pool acquire, begin, statement,
//! render, …) as TRACE spans of one target, so the benchmark can break a call's time down
//! (`cargo bench -p dbdock-cli --bench mcp_roundtrip`, docs/benchmarks.md). A disabled
//! TRACE span costs a relaxed load, so they stay in the shipped hot path.

/// The `tracing` target of every stage span.
pub const STAGE_TARGET: &str = "dbdock::stage";

/// A stage span named `$name` (a string literal). The crate using it depends on `tracing`.
#[macro_export]
macro_rules! stage {
    ($name:literal) => {
        ::tracing::trace_span!(target: "dbdock::stage", $name)
    };
}
