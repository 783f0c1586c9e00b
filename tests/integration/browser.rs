//! Opens HTML reports in headless Chromium, offline, the way a reviewer opens an attachment.
//!
//! Each report must load with no console message at all (script errors, blocked loads and CSP
//! violations are all console messages; the page itself logs nothing), its self-check script
//! must have run and counted every chart, a screenshot must show a real page (not one blank
//! colour; the verdict badge and the chart colours are there), and a report built from hostile
//! labels must show them as text: the rendered DOM holds no element or event attribute the
//! input tried to inject.
//!
//! Chromium is Debian's `chromium` package (`scripts/browser-test` installs it). Where it is
//! missing the tests print a notice and pass, unless `MLGUARD_REQUIRE_BROWSER=1` (set by
//! `.ci/run`), when its absence fails them. `MLGUARD_CHROMIUM` names another binary.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mlguard::render::html;

use crate::support::{binary_report, hostile_report, multiclass_report, rendered, report, HOSTILE};

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MLGUARD_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// The browser, or None (with a notice) when it is missing and not required.
fn chromium() -> Option<PathBuf> {
    let required = std::env::var("MLGUARD_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    match find_chromium() {
        Some(p) => Some(p),
        None if required => panic!(
            "MLGUARD_REQUIRE_BROWSER=1 but no chromium found on PATH (run scripts/browser-test, which installs Debian's chromium)"
        ),
        None => {
            eprintln!("notice: chromium not found; skipping the browser test (scripts/browser-test installs it)");
            None
        }
    }
}

/// What one headless run printed.
struct Headless {
    stdout: String,
    stderr: String,
}

impl Headless {
    /// Console messages Chromium logged (`--enable-logging=stderr --v=0`).
    fn console(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .collect()
    }
}

/// Runs headless Chromium on a local page with a fresh profile, no network and a time limit.
fn headless(browser: &Path, page: &Path, extra: &[String]) -> Headless {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            // Offline: no name resolves, so nothing outside the file could load.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Headless {
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Start tags of serialised HTML with their attribute names (values skipped, quotes honoured).
fn tags(dom: &str) -> Vec<(String, Vec<String>)> {
    let bytes = dom.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_alphabetic() {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
                j += 1;
            }
            let name = dom[start..j].to_ascii_lowercase();
            let mut attrs = Vec::new();
            // Inside the tag: attribute names, and quoted values skipped whole.
            while j < bytes.len() && bytes[j] != b'>' {
                match bytes[j] {
                    b'"' | b'\'' => {
                        let q = bytes[j];
                        j += 1;
                        while j < bytes.len() && bytes[j] != q {
                            j += 1;
                        }
                        j += 1;
                    }
                    c if c.is_ascii_alphabetic() => {
                        let a = j;
                        while j < bytes.len() && !matches!(bytes[j], b'=' | b' ' | b'>' | b'/') {
                            j += 1;
                        }
                        attrs.push(dom[a..j].to_ascii_lowercase());
                    }
                    _ => j += 1,
                }
            }
            out.push((name, attrs));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Elements the report is made of; anything else in the DOM was injected.
const ELEMENTS: [&str; 44] = [
    "html",
    "head",
    "meta",
    "title",
    "script",
    "style",
    "body",
    "main",
    "header",
    "nav",
    "footer",
    "div",
    "h1",
    "h2",
    "h3",
    "p",
    "strong",
    "span",
    "a",
    "br",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "svg",
    "g",
    "line",
    "text",
    "rect",
    "path",
    "circle",
    "polyline",
    "title",
    "defs",
    "pattern",
];

/// Dumps the page's DOM and checks it loaded cleanly; returns the DOM.
fn load_cleanly(browser: &Path, page: &Path, html: &str) -> String {
    let run = headless(browser, page, &["--dump-dom".to_string()]);
    let dom = run.stdout.clone();
    assert!(
        dom.contains("<html"),
        "no DOM dumped; chromium said:\n{}",
        run.stderr
    );
    assert!(
        run.console().is_empty(),
        "console messages:\n{}",
        run.console().join("\n")
    );
    if let Some(at) = dom.find("data-errors=\"") {
        panic!(
            "the page recorded errors: {}",
            &dom[at..dom[at..].find('>').map_or(dom.len(), |e| at + e)]
        );
    }
    let charts = html.matches("<svg class=\"chart").count();
    assert!(
        dom.contains(&format!("data-charts=\"{charts}\"")),
        "the self-check did not run or did not find all {charts} charts (is the script's CSP hash current?)"
    );
    let found = tags(&dom);
    for (name, attrs) in &found {
        assert!(
            ELEMENTS.contains(&name.as_str()),
            "unexpected element <{name}> in the DOM"
        );
        for a in attrs {
            assert!(!a.starts_with("on"), "event attribute {a} on <{name}>");
        }
    }
    assert_eq!(
        found.iter().filter(|(n, _)| n == "script").count(),
        1,
        "only the self-check script"
    );
    dom
}

/// Decoded RGB pixels of a PNG screenshot.
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file =
        std::io::BufReader::new(std::fs::File::open(path).expect("a screenshot was written"));
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| {
            if channels >= 3 {
                [p[0], p[1], p[2]]
            } else {
                [p[0], p[0], p[0]]
            }
        })
        .collect();
    (info.width, info.height, px)
}

fn near(p: [u8; 3], hex: u32) -> bool {
    let c = [(hex >> 16) as u8, (hex >> 8) as u8, hex as u8];
    p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 12)
}

/// Takes a screenshot and checks it shows a page: many colours, the verdict badge's colour and
/// the first series colour of the charts.
fn screenshot_shows_the_report(browser: &Path, page: &Path, dir: &Path, badge: u32) {
    let shot = dir.join(format!(
        "{}.png",
        page.file_stem().unwrap().to_string_lossy()
    ));
    let run = headless(
        browser,
        page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    assert!(
        run.console().is_empty(),
        "console messages:\n{}",
        run.console().join("\n")
    );
    let (w, h, px) = pixels(&shot);
    assert_eq!((w, h), (1280, 2400));
    let first = px[0];
    assert!(
        px.iter().any(|p| *p != first),
        "the screenshot is one colour"
    );
    let mut colours: Vec<[u8; 3]> = px.iter().step_by(7).copied().collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 64,
        "only {} colours: a blank page?",
        colours.len()
    );
    assert!(
        px.iter().any(|p| near(*p, badge)),
        "no verdict badge colour #{badge:06x}"
    );
    assert!(
        px.iter().any(|p| near(*p, 0x4e79a7)),
        "no chart series colour"
    );
    if let Ok(keep) = std::env::var("MLGUARD_KEEP_SCREENSHOTS") {
        std::fs::copy(&shot, Path::new(&keep).join(shot.file_name().unwrap())).unwrap();
    }
}

#[test]
fn reports_open_offline_with_every_chart_and_no_errors() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, report, badge) in [
        ("binary", binary_report(), 0xb42318),
        ("multiclass", multiclass_report(), 0xb42318),
        (
            "passing",
            report(&["examples/reference.csv", "--segment-col", "segment"]),
            0x1f7a4d,
        ),
    ] {
        let html = rendered(html::render, &report);
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, &html).unwrap();
        load_cleanly(&browser, &page, &html);
        screenshot_shows_the_report(&browser, &page, dir.path(), badge);
    }
}

#[test]
fn hostile_labels_show_as_text_in_the_browser() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let r = hostile_report(dir.path());
    let html = rendered(html::render, &r);
    let page = dir.path().join("hostile.html");
    std::fs::write(&page, &html).unwrap();
    let dom = load_cleanly(&browser, &page, &html);
    // The labels are in the page as text.
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(dom.contains("@team *bold* [link](http://x) `code` &lt;/details&gt;"));
    assert!(HOSTILE.len() == 4);
}
