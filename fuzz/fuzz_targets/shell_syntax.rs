//! Any text given to the MongoDB query parser gets a request or a positioned error: never
//! a panic, a hang or a stack overflow, and the error position is inside the input.
#![no_main]

use dbdock_engines::mongodb::shell::parse_request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The collection parameter matters only to the legacy forms; try both shapes.
    for params in [&[][..], &[serde_json::json!("c")][..]] {
        if let Err(error) = parse_request(text, params) {
            assert!(error.offset <= text.len(), "offset {} past the end of {text:?}", error.offset);
            let _ = error.describe(text);
        }
    }
});
