//! CSV output for the list and for one chat's export. Spreadsheet apps run a
//! cell that starts with `= + - @ TAB CR` as a formula, so such cells get a leading
//! apostrophe.
use super::Row;
use crate::error::{AppError, AppResult};

pub const LIST_HEADER: [&str; 11] = [
    "started", "last_message_at", "last_message", "customer", "customer_role", "phone", "email", "channel",
    "assignee", "status", "unread",
];

pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub use crate::timefmt::iso8601;

/// Encodes records as CSV bytes, every cell neutralised.
pub fn encode<I, R>(records: I) -> AppResult<Vec<u8>>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in records {
        w.write_record(record.into_iter().map(|c| neutralize(&c))).map_err(|_| AppError::Internal)?;
    }
    w.into_inner().map_err(|_| AppError::Internal)
}

pub fn list_record(r: &Row) -> Vec<String> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    vec![
        iso8601(r.created_at),
        iso8601(r.activity_at),
        opt(&r.last_message_preview),
        opt(&r.customer_name),
        opt(&r.customer_role),
        opt(&r.customer_phone),
        opt(&r.customer_email),
        r.channel.clone(),
        opt(&r.assignee_name),
        r.status.as_str().to_string(),
        r.unread.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_untouched() {
        for evil in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(evil).starts_with('\''), "{evil:?}");
        }
        assert_eq!(neutralize("plain"), "plain");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn csv_round_trips_through_a_parser() {
        let bytes = encode(vec![vec!["a,b".to_string(), "say \"hi\"\nthere".into(), "=cmd".into()]]).unwrap();
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[0], "a,b");
        assert_eq!(&rec[1], "say \"hi\"\nthere");
        assert_eq!(&rec[2], "'=cmd");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
    }
}
