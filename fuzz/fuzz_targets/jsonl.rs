//! Fuzz target: JSON Lines input: `mlguard eval in.jsonl` on the fuzzer's bytes.

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::jsonl(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("jsonl", mlguard_fuzz::jsonl);
}
