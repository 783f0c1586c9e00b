//! mlguard called from another program (`mlguard::embed`, what the Python package runs): the
//! same report, exit status and error lines as the binary given the same options.

use mlguard::embed::{eval_command_line, evaluate, OptionValue};
use mlguard::render::ReportFormat;

use crate::support::Test;

fn options(pairs: &[(&str, &[&str])]) -> Vec<(String, OptionValue)> {
    pairs
        .iter()
        .map(|(name, values)| {
            let values = values.iter().map(|v| v.to_string()).collect();
            (name.to_string(), OptionValue::Values(values))
        })
        .collect()
}

#[test]
fn an_evaluation_is_the_json_report_of_the_binary() {
    let given = options(&[("segment_col", &["segment"]), ("min", &["f1=0.99"])]);
    let argv = eval_command_line("examples/binary.csv", &given).unwrap();
    let evaluation = evaluate(&argv).unwrap();
    let out = Test::eval_json("examples/binary.csv")
        .args(&["--segment-col", "segment", "--min", "f1=0.99"])
        .run();
    let json = String::from_utf8(evaluation.render(ReportFormat::Json)).unwrap();
    assert_eq!(json, out.stdout);
    assert_eq!(evaluation.exit_status() as i32, out.status.code().unwrap());
    assert_eq!(
        evaluation.report.run.command,
        "mlguard eval examples/binary.csv --segment-col segment --min f1=0.99"
    );
}

#[test]
fn an_error_is_the_line_the_binary_prints() {
    for (input, given) in [
        ("examples/missing.csv", options(&[])),
        ("examples/binary.csv", options(&[("threshold", &["2"])])),
        ("examples/binary.csv", options(&[("task", &["regression"])])),
    ] {
        let argv = eval_command_line(input, &given).unwrap();
        let message = evaluate(&argv).unwrap_err();
        let flags: Vec<String> = argv[3..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let out = Test::new().args(&["eval", input, "-q"]).args(&flags).run();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(out.stderr, format!("mlguard: error: {message}\n"));
    }
}
