//! Recognising the text format of an input: CSV, TSV or JSON Lines.
//!
//! A flag wins; otherwise the extension (under any `.gz`/`.zst`) decides; otherwise the first
//! line is sniffed: `{` means JSON Lines, a tab with no comma means TSV, anything else CSV.
//! Unless a flag names it, the delimiter of delimited text is then found in the first lines
//! ([`super::sniff`]).
//! [`InputFormat`] is the choice a user names; [`Format`] is what the reader uses.

/// A text format of prediction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header row.
    Delimited {
        /// The field delimiter byte.
        delimiter: u8,
    },
    /// One JSON object per line.
    JsonLines,
}

/// The input format a user names (`--input-format`, `[input] format`; the variants' comments are
/// its help). A delimiter of its own turns a named delimited format into [`Format::Delimited`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON object per line.
    Jsonl,
}

impl From<InputFormat> for Format {
    fn from(format: InputFormat) -> Format {
        match format {
            InputFormat::Csv => Format::CSV,
            InputFormat::Tsv => Format::TSV,
            InputFormat::Jsonl => Format::JsonLines,
        }
    }
}

impl Format {
    /// Comma-separated values.
    pub const CSV: Format = Format::Delimited { delimiter: b',' };
    /// Tab-separated values.
    pub const TSV: Format = Format::Delimited { delimiter: b'\t' };

    /// The format a file name promises, if its extension is known.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let stem = [".gz", ".gzip", ".zst", ".zstd"]
            .iter()
            .find_map(|ext| lower.strip_suffix(ext))
            .unwrap_or(&lower);
        let ext = stem.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "csv" => Some(Format::CSV),
            "tsv" | "tab" => Some(Format::TSV),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }

    /// Guesses the format from the first bytes of the content.
    pub fn sniff(head: &[u8]) -> Format {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        if head[start..].starts_with(b"{") {
            return Format::JsonLines;
        }
        let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let first = &head[..line_end];
        if first.contains(&b'\t') && !first.contains(&b',') {
            Format::TSV
        } else {
            Format::CSV
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(Format::from_name("a.csv"), Some(Format::CSV));
        assert_eq!(Format::from_name("a.TSV.gz"), Some(Format::TSV));
        assert_eq!(
            Format::from_name("dir.x/a.ndjson.zst"),
            Some(Format::JsonLines)
        );
        assert_eq!(Format::from_name("a.txt"), None);
        assert_eq!(Format::from_name("-"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b" {\"a\":1}\n"), Format::JsonLines);
        assert_eq!(Format::sniff(b"a\tb\n1\t2"), Format::TSV);
        assert_eq!(Format::sniff(b"a,b\n"), Format::CSV);
    }
}
