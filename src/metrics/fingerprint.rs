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

/// The bytes of a string shorter than eight bytes as one word (little-endian, zero-padded),
/// read in at most three loads instead of a copy.
#[inline(always)]
pub(crate) fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    let mut w = 0u64;
    let mut off = 0;
    if n & 4 != 0 {
        w = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        off = 4;
    }
    if n & 2 != 0 {
        w |= u64::from(u16::from_le_bytes([b[off], b[off + 1]])) << (8 * off);
        off += 2;
    }
    if n & 1 != 0 {
        w |= u64::from(b[off]) << (8 * off);
    }
    w
}

/// Folds a string shorter than eight bytes, given as its little-endian word padded with zeros
/// and its length: the same as [`fold_bytes`] of its bytes, without reading them one by one.
#[inline(always)]
pub fn fold_short(h: u64, word: u64, len: usize) -> u64 {
    debug_assert!(len < 8);
    fold(h, word | (len as u64) << 56)
}

/// Folds `bytes` into the running hash `h`, with their length (so that the fields `ab,c` and
/// `a,bc` differ). A string under eight bytes is one word with its length in the top byte; a
/// longer one is its length (top byte 0xff) and then its words, the last read overlapping the
/// one before so that no byte is copied.
#[inline(always)]
pub fn fold_bytes(h: u64, bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n < 8 {
        return fold_short(h, short_word(bytes), n);
    }
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut h = fold(h, n as u64 | 0xff << 56);
    let mut at = 0;
    while at + 8 <= n {
        h = fold(h, word(at));
        at += 8;
    }
    if at < n {
        h = fold(h, word(n - 8));
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

/// Seeds of record fingerprints: records read as one line, and the rare records whose fields
/// cannot be joined unambiguously.
const RECORD_SEED: u64 = 0x6a09_e667_f3bc_c908;
const FIELDS_SEED: u64 = 0xbb67_ae85_84ca_a73b;

/// The fingerprint of a record given as its fields joined by the delimiter (a line of a
/// delimited file without its line end): the same bytes give the same fingerprint however the
/// record was read.
#[inline]
pub fn of_record(joined: &[u8]) -> u64 {
    finish(fold_bytes(RECORD_SEED, joined))
}

/// The fingerprint of a record whose fields hold the delimiter (quoted), so that joining them
/// would be ambiguous: the fields one by one, each with its length, from another seed.
pub fn of_fields<'a>(fields: impl Iterator<Item = &'a [u8]>) -> u64 {
    finish(fields.fold(FIELDS_SEED, fold_bytes))
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
        // Every length up to 24 bytes, differing in one byte or in the length alone.
        let mut seen = std::collections::HashSet::new();
        for n in 0..24usize {
            for pos in 0..n.max(1) {
                for v in [0u8, 1, 255] {
                    let mut b = vec![7u8; n];
                    if n > 0 {
                        b[pos] = v;
                    }
                    seen.insert((of_bytes(&b), b));
                }
            }
        }
        let distinct_inputs: std::collections::HashSet<&Vec<u8>> =
            seen.iter().map(|x| &x.1).collect();
        let distinct_hashes: std::collections::HashSet<u64> = seen.iter().map(|x| x.0).collect();
        assert_eq!(distinct_inputs.len(), distinct_hashes.len());
        // A padded seven-byte cell against an eight-byte one differing in the last byte.
        let ids: std::collections::HashSet<u64> = (0..100_000)
            .map(|i| of_bytes(format!("row-{i}").as_bytes()))
            .collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn records_by_line_and_by_fields_differ() {
        assert_eq!(of_record(b"1,a,0.5"), of_record(b"1,a,0.5"));
        assert_ne!(of_record(b"1,a,0.5"), of_record(b"1,a,0.50"));
        let fields: [&[u8]; 3] = [b"1", b"a", b"0.5"];
        assert_ne!(of_fields(fields.into_iter()), of_record(b"1,a,0.5"));
        let moved: [&[u8]; 3] = [b"1", b"a,", b"0.5"];
        assert_ne!(of_fields(fields.into_iter()), of_fields(moved.into_iter()));
    }

    #[test]
    fn leading_zeros_are_uniform() {
        // About half the hashes of consecutive lines start with a zero bit.
        let zeros = (0..10_000u64).filter(|&l| of_line(l) >> 63 == 0).count();
        assert!((4_700..5_300).contains(&zeros), "{zeros}");
    }
}
