//! Fuzz target: gzip and zstd input, whole, cut short or misnamed (see `mlguard_fuzz::compressed`).

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::compressed(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("compressed", mlguard_fuzz::compressed);
}
