//! Fuzz target: CSV input: `mlguard eval in.csv` on the fuzzer's bytes.

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::csv(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("csv", mlguard_fuzz::csv);
}
