//! `mlguard._native`, the Python package's native module: the command line as a function
//! (what the `mlguard` command and `python -m mlguard` run) and `eval` returning its report.
//!
//! Glue only: options are checked and turned into a command line by [`mlguard::embed`], which
//! parses it with the binary's own definitions; reports are rendered and saved by the library's
//! renderers and atomic writer. The Python layer (`mlguard/*.py`) turns keyword arguments into
//! option names and text values, and wraps the evaluation in `mlguard.Report`. The interpreter's
//! lock is released while a command or an evaluation runs.

use std::ffi::OsString;
use std::path::PathBuf;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::RecordBatchReader;
use clap::ValueEnum;
use mlguard::embed::{self, OptionValue};
use mlguard::io::columnar::memory;
use mlguard::render::ReportFormat;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule};

create_exception!(
    mlguard,
    MlguardError,
    PyException,
    "An error mlguard reports: a usage, input, settings or output problem. Its message is the \
     line the command line prints after `mlguard: error: `, and the command line would exit \
     with `exit_code` (2)."
);

/// Runs `argv` (the program name first) as the `mlguard` command line and returns its exit
/// code; output goes to the process's standard output and error.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<OsString>) -> i32 {
    py.detach(|| mlguard::run_command_line(&argv) as i32)
}

/// Evaluates `data` with `options`, each named by its long flag, `None` for a switch that is on
/// and a list of text values otherwise.
#[pyfunction]
fn evaluate(
    py: Python<'_>,
    data: String,
    options: Vec<(String, Option<Vec<String>>)>,
) -> PyResult<Evaluation> {
    let argv = embed::eval_command_line(&data, &option_values(options))
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let evaluation = py
        .detach(|| embed::evaluate(&argv))
        .map_err(MlguardError::new_err)?;
    Ok(Evaluation { inner: evaluation })
}

/// A table handed over through the Arrow PyCapsule interface (`__arrow_c_stream__`: pandas,
/// polars, pyarrow and others), held in memory and readable under [`name`](Table::name)
/// wherever a file path is taken, until it is dropped.
#[pyclass(frozen, module = "mlguard._native")]
struct Table {
    registered: memory::Registered,
}

#[pymethods]
impl Table {
    /// The name that reads the table where a path is expected (`<pandas.DataFrame>`).
    #[getter]
    fn name(&self) -> String {
        self.registered.name().to_string()
    }
}

/// Takes the rows of `data`, an object with `__arrow_c_stream__`, as a [`Table`] named after
/// `what`. Zero-copy: the batches keep the producer's buffers.
#[pyfunction]
fn table(data: &Bound<'_, PyAny>, what: &str) -> PyResult<Table> {
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>()?;
    let stream = capsule
        .pointer_checked(Some(c"arrow_array_stream"))?
        .cast::<FFI_ArrowArrayStream>();
    // SAFETY: the capsule named "arrow_array_stream" holds a valid, initialised
    // FFI_ArrowArrayStream (the Arrow PyCapsule interface); `from_raw` moves it out and leaves
    // a released stream for the capsule's destructor.
    let reader = unsafe { RecordBatchStreamReader::from_raw(stream.as_ptr()) }
        .map_err(|e| PyValueError::new_err(format!("cannot read the {what}: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("cannot read the {what}: {e}")))?;
    let registered = memory::register(what, memory::Table { schema, batches });
    Ok(Table { registered })
}

/// Options as the library takes them: `None` for a switch that is on, else the values.
fn option_values(options: Vec<(String, Option<Vec<String>>)>) -> Vec<(String, OptionValue)> {
    options
        .into_iter()
        .map(|(name, values)| {
            (
                name,
                values.map_or(OptionValue::Switch, OptionValue::Values),
            )
        })
        .collect()
}

/// Reads `data` with `options` (those of `eval`) into the bytes of the state `--save-state`
/// writes.
#[pyfunction]
fn save_state<'py>(
    py: Python<'py>,
    data: String,
    options: Vec<(String, Option<Vec<String>>)>,
) -> PyResult<Bound<'py, PyBytes>> {
    let argv = embed::eval_command_line(&data, &option_values(options))
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let bytes = py
        .detach(|| embed::save_state(&argv))
        .map_err(MlguardError::new_err)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The merge of states (the bytes of state files), in order.
#[pyfunction]
fn merge_states<'py>(py: Python<'py>, states: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let slices: Vec<&[u8]> = states.iter().map(Vec::as_slice).collect();
    let bytes = py
        .detach(|| embed::merge_states(&slices))
        .map_err(MlguardError::new_err)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The report of a state with `options` (those of `merge`).
#[pyfunction]
fn report_of_state(
    py: Python<'_>,
    state: Vec<u8>,
    options: Vec<(String, Option<Vec<String>>)>,
) -> PyResult<Evaluation> {
    let options = option_values(options);
    let evaluation = py
        .detach(|| embed::report_of_state(&state, &options))
        .map_err(MlguardError::new_err)?;
    Ok(Evaluation { inner: evaluation })
}

/// The names of the report formats, in the order of `--format`'s help.
#[pyfunction]
fn formats() -> Vec<String> {
    ReportFormat::value_variants()
        .iter()
        .filter_map(|f| Some(f.to_possible_value()?.get_name().to_string()))
        .collect()
}

/// The format named `name`, or the one `path`'s extension names.
fn format_of(name: Option<&str>, path: Option<&PathBuf>) -> PyResult<ReportFormat> {
    match (name, path) {
        (Some(name), _) => ReportFormat::from_str(name, true).map_err(|_| {
            PyValueError::new_err(format!(
                "unknown report format '{name}': use one of {}",
                formats().join(", ")
            ))
        }),
        (None, Some(path)) => ReportFormat::for_path(path).ok_or_else(|| {
            PyValueError::new_err(format!(
                "{}: cannot tell the report format from the file name (give format=, one of {})",
                path.display(),
                formats().join(", ")
            ))
        }),
        (None, None) => Ok(ReportFormat::Text),
    }
}

/// A finished evaluation: its report and the files it read.
#[pyclass(frozen, module = "mlguard._native")]
struct Evaluation {
    inner: embed::Evaluation,
}

#[pymethods]
impl Evaluation {
    /// Whether the gate passed.
    #[getter]
    fn passed(&self) -> bool {
        self.inner.report.gate.passed
    }

    /// The exit code the command line would end with: 0 passed, 1 gate failed.
    #[getter]
    fn exit_code(&self) -> i32 {
        self.inner.exit_status() as i32
    }

    /// The input, as the report names it.
    #[getter]
    fn input(&self) -> String {
        self.inner.report.results.input.path.clone()
    }

    /// The report in `format` (text when not given), as the command line writes it.
    #[pyo3(signature = (format=None))]
    fn render(&self, format: Option<&str>) -> PyResult<String> {
        let format = format_of(format, None)?;
        Ok(String::from_utf8_lossy(&self.inner.render(format)).into_owned())
    }

    /// Writes the report to `path` atomically in `format` (else the format its extension
    /// names), refusing to write over an input file.
    #[pyo3(signature = (path, format=None))]
    fn save(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        let format = format_of(format, Some(&path))?;
        py.detach(|| self.inner.save(&path, format))
            .map_err(|e| MlguardError::new_err(mlguard::io::error::one_line(&e.to_string())))
    }
}

/// The native module.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let error = py.get_type::<MlguardError>();
    error.setattr("exit_code", mlguard::ExitStatus::Error as i32)?;
    m.add("MlguardError", error)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Evaluation>()?;
    m.add_class::<Table>()?;
    m.add_function(wrap_pyfunction!(table, m)?)?;
    m.add_function(wrap_pyfunction!(save_state, m)?)?;
    m.add_function(wrap_pyfunction!(merge_states, m)?)?;
    m.add_function(wrap_pyfunction!(report_of_state, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(formats, m)?)?;
    Ok(())
}
