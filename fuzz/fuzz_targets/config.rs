//! Fuzz target: `mlguard.toml`: `ConfigFile::parse`, then `mlguard eval --config` on two small files.

#![cfg_attr(not(feature = "standalone"), no_main)]

#[cfg(not(feature = "standalone"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mlguard_fuzz::config(data));

#[cfg(feature = "standalone")]
fn main() {
    mlguard_fuzz::standalone::main("config", mlguard_fuzz::config);
}
