//! Reading a struct from a row whose columns are its fields in order — the store's tables are
//! read through `COLUMNS` lists, so a field's place in the struct literal is its column. One
//! macro instead of `id: r.get(0)?, name: r.get(1)?, …` per table, where an index written by
//! hand can drift from the list.

/// `from_columns!(r => Staff { id, employee_no, name })` reads column 0 into `id`, 1 into
/// `employee_no`, 2 into `name`, each with `?` (the closure or function must return
/// `rusqlite::Result`). A field written `field = expr` takes its column's place but its value
/// from `expr` (a conversion, e.g. [`parsed_column`] with that column's index).
macro_rules! from_columns {
    ($row:expr => $ty:ident { $($field:ident $(= $value:expr)?),+ $(,)? }) => {{
        // Fields are evaluated in the order written: each takes the next column.
        let mut count = 0usize;
        let mut next = move || {
            count += 1;
            count - 1
        };
        $ty { $($field: { let here = next(); from_columns!(@value $row, here $(, $value)?) }),+ }
    }};
    (@value $row:expr, $column:ident) => {
        $row.get($column)?
    };
    (@value $row:expr, $column:ident, $value:expr) => {{
        let _ = $column;
        $value
    }};
}

/// Text column `i` read by `parse` (an enum's wire name); a name it does not know is a
/// conversion error of that column, `{what} {text:?}`.
pub(crate) fn parsed_column<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    parse(&text).ok_or_else(|| conversion_error(i, format!("{what} {text:?}")))
}

/// A text column that did not convert (an unknown name, JSON that does not parse).
pub(crate) fn conversion_error(i: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
}

#[cfg(test)]
mod tests {
    use super::parsed_column;

    #[derive(Debug, PartialEq)]
    struct Trio {
        a: String,
        b: i64,
        c: Option<String>,
    }

    fn flag(s: &str) -> Option<bool> {
        match s {
            "on" => Some(true),
            "off" => Some(false),
            _ => None,
        }
    }

    #[test]
    fn fields_take_the_columns_in_the_order_written_and_a_value_keeps_its_place() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let read = |sql: &str| {
            c.query_row(sql, [], |r| Ok(from_columns!(r => Trio { a, b = r.get::<_, i64>(1)? * 10, c })))
        };
        let t = read("SELECT 'x', 4, NULL").unwrap();
        assert_eq!(t, Trio { a: "x".into(), b: 40, c: None });
        let t = read("SELECT 'y', 5, 'z'").unwrap();
        assert_eq!(t.c.as_deref(), Some("z"), "the third field reads the third column");
    }

    #[test]
    fn an_unknown_name_is_a_conversion_error_of_its_column() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let on = c.query_row("SELECT 'on'", [], |r| parsed_column(r, 0, "flag", flag)).unwrap();
        assert!(on);
        let err =
            c.query_row("SELECT 'maybe'", [], |r| parsed_column(r, 0, "unknown flag", flag)).unwrap_err();
        match err {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e) => {
                assert_eq!(e.to_string(), "unknown flag \"maybe\"")
            }
            other => panic!("expected a conversion failure of column 0, got {other:?}"),
        }
    }
}
