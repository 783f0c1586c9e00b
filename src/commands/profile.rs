//! `mlguard profile REF.csv -o ref.profile.json`: read a reference run once and save what the
//! comparisons of `mlguard eval --reference` need.

use std::path::Path;

use crate::engine::reference::saved_profile;
use crate::io::output::write_atomic;
use crate::render::progress::TerminalProgress;
use crate::settings::EvalSettings;
use crate::{Error, ExitStatus};

/// Runs `mlguard profile`.
pub fn run(settings: &EvalSettings) -> Result<ExitStatus, Error> {
    let progress = TerminalProgress::new(settings.output.quiet);
    let path = settings.input.path.as_str();
    let (saved, _) = saved_profile(settings, path, &settings.finish, &progress)?;
    let text = saved.to_text();
    let mut inputs = vec![Path::new(path)];
    inputs.extend(settings.config.as_deref());
    match &settings.output.path {
        Some(out) => write_atomic(out, text.as_bytes(), &inputs)?,
        None => crate::write_stdout(text.as_bytes())?,
    }
    Ok(ExitStatus::Passed)
}
