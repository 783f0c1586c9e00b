//! Terminal styling for the text report: ANSI escapes when colour is on, nothing otherwise.

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
