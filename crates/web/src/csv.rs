//! CSV as RFC 4180 writes it (fields quoted when they hold a comma, a
//! quote or a line break; quotes doubled; CRLF between records), with the
//! spreadsheet formula guard: a text cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is prefixed with `'`, so an account
//! name or a post title can never run as a formula where the file is
//! opened. Numbers Herald writes itself (`-12`, `0.0425`) are left as they
//! are, so they stay numbers.

/// A CSV document being written.
#[derive(Debug, Clone, Default)]
pub struct Csv {
    out: String,
}

/// Whether `cell` is a plain decimal number (what the guard leaves alone).
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `cell` made safe for a spreadsheet (see the module notes).
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

impl Csv {
    /// A document whose first record is `header`.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Csv {
        let mut csv = Csv::default();
        csv.row(header);
        csv
    }

    /// Adds one record.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let cell = guard(cell.as_ref());
            if cell.contains([',', '"', '\n', '\r']) {
                self.out.push('"');
                self.out.push_str(&cell.replace('"', "\"\""));
                self.out.push('"');
            } else {
                self.out.push_str(&cell);
            }
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// An optional number as a cell: empty when not known.
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Reads a document written by [`Csv`] back into records (for tests).
#[cfg(test)]
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_are_quoted_when_they_must_be() {
        let mut csv = Csv::new(&["name", "views"]);
        csv.row(&["Bäckerei, \"Nord\"", "1200"]);
        csv.row(&["two\nlines", ""]);
        assert_eq!(
            csv.finish(),
            "name,views\r\n\"Bäckerei, \"\"Nord\"\"\",1200\r\n\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn formulas_are_defused_and_numbers_left_alone() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+1 555"), "'+1 555");
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("-1+cmd|' /C calc'!A0"), "'-1+cmd|' /C calc'!A0");
        assert_eq!(guard("\tx"), "'\tx");
        assert_eq!(guard("-12"), "-12");
        assert_eq!(guard("-0.0425"), "-0.0425");
        assert_eq!(guard("0.5"), "0.5");
        assert_eq!(guard("-"), "'-");
        assert_eq!(guard("-1."), "'-1.");
        assert_eq!(guard("plain"), "plain");
        assert_eq!(guard(""), "");
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back_guarded(
            rows in proptest::collection::vec(
                proptest::collection::vec(".{0,12}", 1..5), 1..6)
        ) {
            let width = rows[0].len();
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|mut r| { r.resize(width, String::new()); r })
                .collect();
            let mut csv = Csv::default();
            for r in &rows {
                csv.row(r);
            }
            let back = parse(&csv.finish());
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| guard(c).into_owned()).collect())
                .collect();
            prop_assert_eq!(back, expected);
        }
    }
}
