//! Splitting delimited text into chunks of whole records, so chunks can be parsed in parallel.
//!
//! A chunk ends at the last line end that is not inside a quoted field; the quote state is
//! tracked from the chunk's start, which is always a record boundary. Each chunk carries the
//! number of its first line, so errors found by any worker name the right line. A chunk without
//! a quote character is split by the fast path ([`SplitLine`]); others go through the `csv`
//! crate, which handles quoting fully.

use std::io::{self, BufRead, Read};
use std::sync::{Arc, Mutex};

use memchr::{memchr, memchr_iter, memrchr};

use super::decode::Fields;

/// Target size of a chunk.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Whole records and the line the first one starts on.
#[derive(Debug)]
pub struct Chunk {
    /// 1-based line number of the first byte.
    pub first_line: u64,
    /// The buffer: the records in its first `len` bytes, leftovers of earlier reads after them
    /// (kept so that the buffer never has to be zeroed again when it is reused).
    buffer: Vec<u8>,
    /// How many bytes of `buffer` are the records.
    len: usize,
    /// Whether no byte is a quote, so that the fast path can split it.
    pub plain: bool,
}

impl Chunk {
    /// A chunk of `data`, checked for quotes.
    pub fn new(first_line: u64, data: Vec<u8>) -> Chunk {
        Chunk {
            first_line,
            plain: memchr(b'"', &data).is_none(),
            len: data.len(),
            buffer: data,
        }
    }

    /// The records, each ending with `\n` except possibly the last of the input.
    pub fn data(&self) -> &[u8] {
        &self.buffer[..self.len]
    }

    /// The buffer, to be given back to the [`Recycler`] once the chunk is parsed.
    pub fn into_buffer(self) -> Vec<u8> {
        self.buffer
    }
}

/// Chunk buffers given back once parsed, for the reader to fill again: reusing them saves
/// the allocator from mapping (and the kernel from zeroing) a fresh megabyte per chunk.
#[derive(Debug, Clone, Default)]
pub struct Recycler(Arc<Mutex<Vec<Vec<u8>>>>);

/// Buffers kept for reuse at most (more than the chunks in flight at once).
const RECYCLED_KEPT: usize = 16;

impl Recycler {
    /// Gives a parsed chunk's buffer back, whole: its bytes stay initialised, so the reader
    /// fills it again without zeroing it first.
    pub fn give(&self, buf: Vec<u8>) {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < RECYCLED_KEPT {
            pool.push(buf);
        }
    }

    /// A buffer of stale bytes to overwrite (empty when none is recycled).
    fn take(&self) -> Vec<u8> {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pool.pop().unwrap_or_default()
    }
}

/// Reads an input into record-aligned chunks.
pub struct Chunker {
    input: Box<dyn BufRead + Send>,
    delimiter: u8,
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
    recycler: Recycler,
}

/// The end of the last complete record in `buf` (index after its `\n`), if any.
/// A quote opens a quoted field only at the start of a field, as the csv crate reads it; a
/// quote inside an unquoted field is an ordinary character.
fn last_boundary(buf: &[u8], delimiter: u8, plain: bool) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    if plain {
        return memrchr(b'\n', buf).map(|i| i + 1);
    }
    let mut state = State::FieldStart;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b'\n') => {
                last = Some(i + 1);
                State::FieldStart
            }
            (_, c) if c == delimiter => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    last
}

impl Chunker {
    /// A chunker over delimited `input`, whose first byte is on line `first_line`.
    pub fn new(input: Box<dyn BufRead + Send>, first_line: u64, delimiter: u8) -> Chunker {
        Chunker {
            input,
            delimiter,
            carry: Vec::new(),
            next_line: first_line,
            done: false,
            recycler: Recycler::default(),
        }
    }

    /// Where parsed chunks' buffers go back to be filled again.
    pub fn recycler(&self) -> Recycler {
        self.recycler.clone()
    }

    /// The line number the next chunk starts on.
    pub fn next_line(&self) -> u64 {
        self.next_line
    }

    /// Puts bytes already read back in front of the input.
    pub fn unread(&mut self, bytes: &[u8]) {
        let mut carry = bytes.to_vec();
        carry.extend_from_slice(&self.carry);
        self.carry = carry;
    }

    /// The next chunk, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        if self.done && self.carry.is_empty() {
            return Ok(None);
        }
        // The buffer is filled through `read` into bytes already initialised: reading into
        // spare capacity would zero every megabyte first (the byte counter under the reader
        // has no uninitialised-read path on stable Rust).
        let mut buf = self.recycler.take();
        let mut filled = self.carry.len();
        let mut want = CHUNK_BYTES.max(filled);
        if buf.len() < want {
            grow(&mut buf, want);
        }
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        // Whether the bytes read so far hold no quote (then neither does any part of them);
        // `false` until known.
        let mut plain = false;
        loop {
            while !self.done && filled < want {
                match self.input.read(&mut buf[filled..want]) {
                    Ok(0) => self.done = true,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.done {
                break;
            }
            let data = &buf[..filled];
            plain = memchr(b'"', data).is_none();
            match last_boundary(data, self.delimiter, plain) {
                Some(end) => {
                    self.carry.extend_from_slice(&buf[end..filled]);
                    filled = end;
                    break;
                }
                // One record longer than the chunk: read more (whose quotes are not known yet).
                None => {
                    plain = false;
                    want *= 2;
                    grow(&mut buf, want);
                }
            }
        }
        if filled == 0 {
            return Ok(None);
        }
        let first_line = self.next_line;
        self.next_line += memchr_iter(b'\n', &buf[..filled]).count() as u64;
        if !plain {
            plain = memchr(b'"', &buf[..filled]).is_none();
        }
        Ok(Some(Chunk {
            first_line,
            buffer: buf,
            len: filled,
            plain,
        }))
    }
}

/// Grows `buf` to `len` initialised bytes, allocating exactly that much: growing by doubling
/// would leave up to twice a chunk allocated in every chunk in flight.
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.len() < len {
        buf.reserve_exact(len - buf.len());
        buf.resize(len, 0);
    }
}

/// A record split by the fast path: a line and its field boundaries.
pub struct SplitLine<'a> {
    line: &'a [u8],
    /// The chunk from the line's start on: a short field is read as the eight bytes from its
    /// start (masked to its length) when the chunk has them.
    rest: &'a [u8],
    bounds: &'a [(u32, u32)],
}

impl Fields for SplitLine<'_> {
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        let (a, b) = self.bounds[i];
        &self.line[a as usize..b as usize]
    }

    #[inline(always)]
    fn short_word(&self, i: usize) -> Option<(u64, usize)> {
        let (a, b) = self.bounds[i];
        let (a, n) = (a as usize, (b - a) as usize);
        let bytes = self.rest.get(a..a + 8).filter(|_| n < 8)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(bytes);
        // The bytes past the field (the next fields, the line end) are masked off.
        let mask = (1u64 << (8 * n)).wrapping_sub(1);
        Some((u64::from_le_bytes(w) & mask, n))
    }

    #[inline]
    fn line(&self) -> Option<&[u8]> {
        // The last field ends where the line does, before a `\r\n`.
        let end = self.bounds.last().map_or(0, |b| b.1 as usize);
        Some(&self.line[..end])
    }
}

/// Calls `each(record, line_number, field_count)` for every non-blank line of a chunk without
/// quotes, splitting fields at `delimiter`. One SIMD scan finds both delimiters and line ends.
pub fn for_each_plain_record<E>(
    chunk: &Chunk,
    delimiter: u8,
    mut each: impl FnMut(&SplitLine<'_>, u64, usize) -> Result<(), E>,
) -> Result<(), E> {
    let data = chunk.data();
    let mut bounds: Vec<(u32, u32)> = Vec::with_capacity(64);
    let mut line_start = 0usize;
    let mut field_start = 0usize;
    let mut line_no = chunk.first_line;
    let mut emit = |line_start: usize,
                    end: usize,
                    bounds: &mut Vec<(u32, u32)>,
                    field_start: usize,
                    line_no: u64|
     -> Result<(), E> {
        let mut last_end = end;
        if end > line_start && data[end - 1] == b'\r' {
            last_end = end - 1;
        }
        if last_end == line_start && bounds.is_empty() {
            bounds.clear();
            return Ok(()); // a blank line
        }
        let base = line_start as u32;
        bounds.push((
            field_start as u32 - base,
            (last_end.max(field_start)) as u32 - base,
        ));
        let record = SplitLine {
            line: &data[line_start..end],
            rest: &data[line_start..],
            bounds,
        };
        let n = bounds.len();
        let result = each(&record, line_no, n);
        bounds.clear();
        result
    };
    let mut at_separator = |i: usize| -> Result<(), E> {
        if data[i] == delimiter {
            let base = line_start as u32;
            bounds.push((field_start as u32 - base, i as u32 - base));
            field_start = i + 1;
        } else {
            emit(line_start, i, &mut bounds, field_start, line_no)?;
            line_no += 1;
            line_start = i + 1;
            field_start = i + 1;
        }
        Ok(())
    };
    let blocks = data.chunks_exact(BLOCK);
    let tail = blocks.remainder();
    for (b, block) in blocks.enumerate() {
        let block: &[u8; BLOCK] = block.try_into().expect("chunks of BLOCK bytes");
        let mut mask = separator_mask(block, delimiter);
        while mask != 0 {
            at_separator(b * BLOCK + mask.trailing_zeros() as usize)?;
            mask &= mask - 1;
        }
    }
    let base = data.len() - tail.len();
    for (j, &byte) in tail.iter().enumerate() {
        if byte == delimiter || byte == b'\n' {
            at_separator(base + j)?;
        }
    }
    if line_start < data.len() {
        emit(line_start, data.len(), &mut bounds, field_start, line_no)?;
    }
    Ok(())
}

/// Bytes scanned per separator mask.
const BLOCK: usize = 64;

/// Bit `j` set where byte `j` of a 64-byte block is the delimiter or a line end: with SSE2 (part
/// of every x86-64 processor) sixteen bytes per comparison, elsewhere eight bytes at a time.
#[inline]
fn separator_mask(block: &[u8; BLOCK], delimiter: u8) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        separator_mask_sse2(block, delimiter)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        separator_mask_swar(block, delimiter)
    }
}

/// [`separator_mask`] with SSE2: per sixteen bytes, two byte-wise comparisons and one
/// instruction gathering their sixteen results into a bit mask.
#[cfg(target_arch = "x86_64")]
#[inline]
fn separator_mask_sse2(block: &[u8; BLOCK], delimiter: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so its instructions exist wherever this
    // runs; each load reads exactly the sixteen bytes of `part` (`chunks_exact(16)`).
    unsafe {
        let delimiters = _mm_set1_epi8(delimiter as i8);
        let newlines = _mm_set1_epi8(b'\n' as i8);
        let mut mask = 0u64;
        for (k, part) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            let hits = _mm_or_si128(_mm_cmpeq_epi8(v, delimiters), _mm_cmpeq_epi8(v, newlines));
            mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        }
        mask
    }
}

/// [`separator_mask`] without vector instructions, eight bytes at a time (SWAR): a byte equal to
/// the target is zero after an xor, the exact zero-byte test sets its high bit, and one multiply
/// gathers the eight high bits.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn separator_mask_swar(block: &[u8; BLOCK], delimiter: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    /// The high bit of every byte of `x` that is zero (exact: no false positives).
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    let delimiters = u64::from_ne_bytes([delimiter; 8]);
    let newlines = u64::from_ne_bytes([b'\n'; 8]);
    let mut mask = 0u64;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        let hits = zero_bytes(w ^ delimiters) | zero_bytes(w ^ newlines);
        // Bits 7, 15, .., 63 moved to bits 56..63 in byte order, then down to the bottom.
        let bits = ((hits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str, size_hint: usize) -> Vec<(u64, String)> {
        let _ = size_hint;
        let mut c = Chunker::new(Box::new(io::Cursor::new(text.as_bytes().to_vec())), 2, b',');
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk().unwrap() {
            out.push((
                ch.first_line,
                String::from_utf8(ch.data().to_vec()).unwrap(),
            ));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn separator_mask_marks_exactly_the_separators(
            block in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            delimiter in proptest::sample::select(vec![b',', b'\t', b';', b'|', 0xff]),
        ) {
            let expected = block
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == delimiter || b == b'\n')
                .fold(0u64, |m, (j, _)| m | 1 << j);
            let block: [u8; BLOCK] = block.try_into().unwrap();
            proptest::prop_assert_eq!(separator_mask(&block, delimiter), expected);
            proptest::prop_assert_eq!(separator_mask_swar(&block, delimiter), expected);
        }
    }

    #[test]
    fn short_words_are_the_padded_fields() {
        let chunk = Chunk::new(1, b"a,bc,defghij,klmnopqr,,\nxy,z\n1234567".to_vec());
        let mut seen = 0;
        for_each_plain_record(&chunk, b',', |rec, _, n| {
            for i in 0..n {
                let field = rec.field(i);
                match rec.short_word(i) {
                    Some((w, len)) => {
                        let mut padded = [0u8; 8];
                        padded[..field.len()].copy_from_slice(field);
                        assert_eq!((w, len), (u64::from_le_bytes(padded), field.len()));
                        seen += 1;
                    }
                    // Long fields, and short ones too near the end of the chunk.
                    None => assert!(field.len() >= 8 || rec.rest.len() < 8 + 8),
                }
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!(seen >= 6, "{seen}");
    }

    #[test]
    fn separator_mask_of_dense_and_high_bytes() {
        let mut block = [b','; 64];
        block[63] = b'\n';
        block[0] = 0x80 | b',';
        for mask in [separator_mask, separator_mask_swar] {
            assert_eq!(mask(&block, b','), !1u64);
            assert_eq!(mask(&[0xffu8; 64], b','), 0);
            assert_eq!(mask(&[b'\n'; 64], b'\t'), u64::MAX);
        }
    }

    fn last_boundary_of(buf: &[u8], delimiter: u8) -> Option<usize> {
        last_boundary(buf, delimiter, memchr(b'"', buf).is_none())
    }

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(last_boundary_of(b"a,b\nc,\"d\ne\"\nf", b','), Some(12));
        assert_eq!(last_boundary_of(b"a,\"b\nc", b','), None);
        assert_eq!(last_boundary_of(b"a,b\n", b','), Some(4));
        // A quote inside an unquoted field is literal and does not open quoting.
        assert_eq!(last_boundary_of(b"a,5\"x\nb,c\n", b','), Some(10));
        assert_eq!(last_boundary_of(b"a,\"x\"\"y\"\nb\n", b','), Some(11));
    }

    /// Hands out at most seven bytes per read, as a pipe may.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(7);
            self.0.read(&mut buf[..n])
        }
    }

    /// Reads `text` chunk by chunk, recycling every buffer, and checks the chunks: their lines,
    /// their quote flags, and that together they are the text. Returns the number of chunks.
    fn chunk_with_stale_buffers(text: &str) -> usize {
        let input = Trickle(io::Cursor::new(text.as_bytes().to_vec()));
        let mut c = Chunker::new(Box::new(io::BufReader::new(input)), 1, b',');
        let recycler = c.recycler();
        // Stale buffers full of line ends and quotes, shorter and longer than a chunk.
        recycler.give(vec![b'\n'; 100]);
        recycler.give(vec![b'"'; 3 * CHUNK_BYTES]);
        let (mut joined, mut line, mut count) = (Vec::new(), 1u64, 0);
        while let Some(chunk) = c.next_chunk().unwrap() {
            assert_eq!(chunk.first_line, line);
            let quoted = chunk.data().contains(&b'"');
            assert_eq!(chunk.plain, !quoted, "chunk {count} at line {line}");
            line += chunk.data().iter().filter(|&&b| b == b'\n').count() as u64;
            joined.extend_from_slice(chunk.data());
            count += 1;
            recycler.give(chunk.into_buffer());
        }
        assert_eq!(String::from_utf8(joined).unwrap(), text);
        count
    }

    #[test]
    fn recycled_buffers_never_leak_stale_bytes() {
        // Plain records, quoted ones with line ends inside, and one record longer than a chunk
        // whose doubled read reaches the end of the input, quotes and all.
        let mut text = String::new();
        for i in 0..60_000 {
            text.push_str(&format!("{i},plain,{}\n", i % 7));
        }
        text.push_str("1,\"quoted\nacross lines\",2\n");
        text.push_str(&format!("2,{},3\n", "y".repeat(CHUNK_BYTES + 10)));
        for i in 0..60_000 {
            text.push_str(&format!("{i},\"q\",{}\n", i % 5));
        }
        let mut longer = text.clone();
        text.push_str("last,line,without end");
        assert_eq!(chunk_with_stale_buffers(&text), 2);
        // The same followed by enough records for more chunks.
        for i in 0..300_000 {
            longer.push_str(&format!("{i},plain,{}\n", i % 3));
        }
        assert!(chunk_with_stale_buffers(&longer) > 4);
    }

    #[test]
    fn small_input_is_one_chunk_with_its_line() {
        let c = chunks("1,2\n3,4\n", 0);
        assert_eq!(c, vec![(2, "1,2\n3,4\n".to_string())]);
    }

    #[test]
    fn plain_records_have_line_numbers_and_fields() {
        let chunk = Chunk::new(5, b"a,b\r\n\nc,,d\n".to_vec());
        let mut seen = Vec::new();
        for_each_plain_record::<()>(&chunk, b',', |r, line, n| {
            let fields: Vec<String> = (0..n)
                .map(|i| String::from_utf8(r.field(i).to_vec()).unwrap())
                .collect();
            seen.push((line, fields));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                (5, vec!["a".to_string(), "b".to_string()]),
                (7, vec!["c".to_string(), String::new(), "d".to_string()])
            ]
        );
    }
}
