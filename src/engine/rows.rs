//! The rows behind the report's feature findings, for the issues export: the input is read a
//! second time and each raised feature finding's rows at fault are picked out (see
//! [`crate::features::rows`]).

use crate::features::rows::{self, FaultyRowsFound, FeatureRows, RowColumns, Search};
use crate::report::Report;
use crate::settings::EvalSettings;
use crate::Error;

/// Rows listed per export at most: enough for any spreadsheet, bounded in memory.
pub const MAX_FEATURE_ROWS: usize = 1_000_000;

/// The rows at fault behind `report`'s raised feature findings, read again from the input of
/// `settings`; nothing when no raised finding's rows show its fault.
pub fn faulty_feature_rows(
    settings: &EvalSettings,
    report: &Report,
) -> Result<FaultyRowsFound, Error> {
    let Some(features) = report.results.features.as_ref() else {
        return Ok(FaultyRowsFound::default());
    };
    // Each feature has one check; its rows are listed when a finding took it as evidence.
    let wanted: Vec<(&str, &str, &rows::FaultyRows)> = features
        .0
        .iter()
        .filter_map(|(name, r)| {
            let faulty = r.faulty_rows.as_ref()?;
            let ids = [
                format!("feature:{name}:quality"),
                format!("feature:{name}:drift"),
            ];
            let finding = report
                .findings
                .iter()
                .find(|f| f.evidence.checks.iter().any(|c| ids.contains(c)))?;
            Some((name.as_str(), finding.code.as_str(), faulty))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(FaultyRowsFound::default());
    }
    let Some(mut records) = crate::scan::reread(&settings.input)? else {
        return Ok(FaultyRowsFound {
            unread: true,
            ..FaultyRowsFound::default()
        });
    };
    let header = records.header().to_vec();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
    };
    let mut searches = Vec::new();
    let mut kept = Vec::new();
    for &(name, finding, faulty) in &wanted {
        let Some(column) = find(name) else {
            continue;
        };
        let segment_column = faulty.segment.as_ref().and_then(|(c, _)| find(c));
        searches.push(Search {
            column,
            segment_column,
            faulty,
        });
        kept.push((name, finding, faulty));
    }
    let columns = RowColumns {
        time: settings.windows.time_col.as_deref().and_then(find),
        id: settings.columns.id.as_deref().and_then(find),
    };
    let file = settings.input.path.as_str();
    let (found, left_out) = rows::find(&mut records, &columns, &searches, MAX_FEATURE_ROWS)
        .map_err(|e| e.problem.at(file, e.line))?;
    let mut features: Vec<FeatureRows> = kept
        .iter()
        .map(|&(name, finding, faulty)| FeatureRows {
            feature: name.to_string(),
            finding: finding.to_string(),
            rule: faulty.rule.clone(),
            rows: Vec::new(),
        })
        .collect();
    for row in found {
        features[row.search].rows.push(row);
    }
    Ok(FaultyRowsFound {
        features,
        left_out,
        unread: false,
    })
}
