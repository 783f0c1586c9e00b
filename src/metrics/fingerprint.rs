//! Fast 64-bit fingerprints of records, cells and line numbers.
//!
//! The row audit hashes every counted row, so the hash must cost a few cycles a byte and
//! allocate nothing. Bytes are folded eight at a time with a folded multiply (as foldhash and
//! wyhash do), and the result is passed through the 64-bit finaliser of
//! MurmurHash3 (Appleby 2011) so that every output bit depends on every input bit: the distinct
//! sampling of the audit keeps hashes by their leading zeros, which must be uniform.

/// The multiplier of the folded multiply.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// Folds one word into the running hash: the 128-bit product of (h ^ word) and a constant,
/// its halves xored (the "folded multiply" of foldhash and wyhash). Unlike FxHash's
/// multiply-rotate, a difference in the top byte of a word reaches the low bits too.
#[inline]
fn fold(h: u64, word: u64) -> u64 {
    let x = u128::from(h ^ word) * u128::from(K);
    (x as u64) ^ ((x >> 64) as u64)
}

/// Folds `bytes` into the running hash `h`, starting with their length (so that the fields
/// `ab,c` and `a,bc` differ, and a short last word padded with zeros never meets a full one).
#[inline]
pub fn fold_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    h = fold(h, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = fold(h, u64::from_le_bytes(c.try_into().expect("eight bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = fold(h, u64::from_le_bytes(buf));
    }
    h
}

/// MurmurHash3's finaliser: spreads every input bit over the whole word.
#[inline]
pub fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The fingerprint of one byte string (a cell, a class name).
#[inline]
pub fn of_bytes(bytes: &[u8]) -> u64 {
    finish(fold_bytes(0x9e37_79b9_7f4a_7c15, bytes))
}

/// The hash of a line number, for uniform row samples.
#[inline]
pub fn of_line(line: u64) -> u64 {
    finish(line ^ 0x2545_f491_4f6c_dd1d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_boundaries_matter() {
        let a = finish(fold_bytes(fold_bytes(0, b"ab"), b"c"));
        let b = finish(fold_bytes(fold_bytes(0, b"a"), b"bc"));
        assert_ne!(a, b);
        assert_eq!(of_bytes(b"row-1"), of_bytes(b"row-1"));
        assert_ne!(of_bytes(b"row-1"), of_bytes(b"row-2"));
        // A padded seven-byte cell against an eight-byte one differing in the last byte.
        let ids: std::collections::HashSet<u64> = (0..100_000)
            .map(|i| of_bytes(format!("row-{i}").as_bytes()))
            .collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn leading_zeros_are_uniform() {
        // About half the hashes of consecutive lines start with a zero bit.
        let zeros = (0..10_000u64).filter(|&l| of_line(l) >> 63 == 0).count();
        assert!((4_700..5_300).contains(&zeros), "{zeros}");
    }
}
