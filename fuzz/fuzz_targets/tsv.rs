//! Fuzz target: TSV input: `mlguard eval in.tsv` on the fuzzer's bytes.

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::tsv(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("tsv", mlguard_fuzz::tsv);
}
