//! Fuzz target: Parquet and Arrow input, as given or valid and damaged (see `mlguard_fuzz::columnar`).

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::columnar(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("columnar", mlguard_fuzz::columnar);
}
