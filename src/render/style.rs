//! Terminal styling for the text report: ANSI escapes when colour is on, nothing otherwise.

use std::io::IsTerminal;

/// Applies (or not) terminal styles.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to emit escape codes.
    pub color: bool,
}

impl Style {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold text for headings.
    pub fn heading(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// Green text for good news.
    pub fn good(self, text: &str) -> String {
        self.wrap("1;32", text)
    }

    /// Red text for failures.
    pub fn bad(self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    /// Yellow text for warnings.
    pub fn warn(self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// Dim text for secondary information.
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// When to colour text output (`--color`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal when NO_COLOR is unset.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether text written to standard output (`to_stdout`) or a file is coloured.
    pub fn decide(self, to_stdout: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_stdout
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}
