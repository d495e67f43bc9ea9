//! Importing a provincial catalog: every file format, every bad-file case, the preview diff,
//! idempotent re-import, and that a refused import writes nothing.

mod common;

use common::*;
use hallkeeper_core::catalog::table;
use hallkeeper_core::proto::{ColumnMapping, Locale, MatterField, MatterState, TextEncoding};
use hallkeeper_core::Error;

fn rejection(e: Error) -> (String, Option<String>, String) {
    let body = e.to_body(Locale::ZhCn);
    (body.code, body.field, body.message)
}

fn preview_err(
    store: &hallkeeper_core::Store,
    path: &std::path::Path,
    mapping: ColumnMapping,
) -> (String, Option<String>, String) {
    rejection(store.preview_import(&request(path, mapping), &quiet).unwrap_err())
}

fn audit_count(store: &hallkeeper_core::Store) -> usize {
    store.list_audit(1000, None).unwrap().entries.len()
}

#[test]
fn the_sample_catalog_imports_with_its_departments() {
    let (store, _) = store();
    let outcome = import(&store, &sample_csv(), sample_mapping());
    assert_eq!((outcome.added, outcome.changed, outcome.retired), (347, 0, 0));
    assert_eq!(outcome.departments, 15);
    let catalog = store.catalog().unwrap();
    assert_eq!((catalog.matters.len(), catalog.departments.len()), (347, 15));
    let m = catalog.matters.iter().find(|m| m.catalog_code == "115101000089663953200001001000").unwrap();
    let police = catalog.departments.iter().find(|d| d.id == m.department_id).unwrap();
    assert_eq!(
        (m.name.as_str(), police.name.as_str(), police.code.as_str()),
        ("居民身份证首次申领", "成都市公安局", "115101000089663953")
    );
    assert_eq!(
        (m.matter_type.as_str(), m.required, m.time_limit_days, m.ticket_prefix.as_str()),
        ("公共服务", true, Some(15), "A")
    );
    // One audit entry for the whole import, naming every code added.
    let audit = store.list_audit(10, None).unwrap();
    assert_eq!(audit.entries.len(), 1);
    assert_eq!(audit.entries[0].action, "catalog.import");
    assert_eq!(audit.entries[0].after.as_ref().unwrap()["added"].as_array().unwrap().len(), 347);
}

#[test]
fn inspecting_proposes_the_mapping_and_shows_samples() {
    let inspection = hallkeeper_core::store::catalog::inspect_file(&sample_csv()).unwrap();
    assert_eq!(inspection.row_count, 347);
    assert_eq!(inspection.encoding, Some(TextEncoding::Utf8));
    assert_eq!(inspection.mapping, sample_mapping());
    assert_eq!(inspection.sample_rows.len(), 5);
    assert_eq!(inspection.headers[1], "事项名称");
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    let entries = audit_count(&store);
    let before = store.catalog().unwrap();
    let req = request(&sample_csv(), sample_mapping());
    let preview = store.preview_import(&req, &quiet).unwrap();
    assert!(preview.added.is_empty() && preview.changed.is_empty() && preview.retired.is_empty());
    assert!(preview.departments.is_empty());
    assert_eq!(preview.unchanged, 347);
    let outcome = store.apply_import(ACTOR, &req, &preview.fingerprint, &quiet).unwrap();
    assert_eq!((outcome.added, outcome.changed, outcome.retired, outcome.unchanged), (0, 0, 0, 347));
    assert_eq!(store.catalog().unwrap(), before);
    assert_eq!(audit_count(&store), entries, "a no-op import records nothing");
}

#[test]
fn gbk_xlsx_and_json_files_give_the_same_catalog_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample_csv()).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let gbk_path = write(dir.path(), "目录-GBK.csv", &gbk);

    let xlsx_path = dir.path().join("catalog.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    // A notes sheet in front, as exports often have: the catalog is the sheet with most rows.
    book.add_worksheet().set_name("说明").unwrap().write(0, 0, "本表由省一体化平台导出").unwrap();
    let sheet = book.add_worksheet().set_name("事项清单").unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            // Time limits as numbers, as a spreadsheet holds them.
            match cell.parse::<f64>() {
                Ok(n) if c == 6 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
    book.save(&xlsx_path).unwrap();

    let reference = {
        let (store, _) = store();
        import(&store, &sample_csv(), sample_mapping());
        strip_ids(store.catalog().unwrap())
    };
    for path in [gbk_path, xlsx_path, sample_json()] {
        let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
        assert_eq!(inspection.row_count, 347, "{}", path.display());
        let (store, _) = store();
        import(&store, &path, inspection.mapping.clone());
        assert_eq!(strip_ids(store.catalog().unwrap()), reference, "{}", path.display());
    }
    let gbk_table = table::read_file(&dir.path().join("目录-GBK.csv")).unwrap();
    assert_eq!(gbk_table.encoding, Some(TextEncoding::Gbk));
    assert_eq!(
        table::read_file(&dir.path().join("catalog.xlsx")).unwrap().sheet.as_deref(),
        Some("事项清单")
    );
}

/// The catalog with department ids replaced by codes, so two imports compare equal.
fn strip_ids(
    c: hallkeeper_core::proto::Catalog,
) -> Vec<(String, String, String, String, bool, Option<i64>, String)> {
    let dept = |id: &str| {
        c.departments.iter().find(|d| d.id == id).map(|d| format!("{} {}", d.code, d.name)).unwrap()
    };
    c.matters
        .iter()
        .map(|m| {
            (
                m.catalog_code.clone(),
                m.name.clone(),
                dept(&m.department_id),
                m.matter_type.clone(),
                m.required,
                m.time_limit_days,
                m.ticket_prefix.clone(),
            )
        })
        .collect()
}

#[test]
fn the_preview_names_added_changed_field_by_field_and_retired() {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sample_lines();
    // Row 2 renamed, row 3 time limit changed, row 4 gone, one new matter at the end.
    lines[1] = lines[1].replacen("居民身份证首次申领", "居民身份证首次申领（含临时身份证）", 1);
    let cells: Vec<&str> = lines[2].split(',').collect();
    let changed_code = cells[0].to_owned();
    let old_limit = cells[6].to_owned();
    let mut c3: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
    c3[6] = "2".into();
    lines[2] = c3.join(",");
    let gone = lines.remove(3);
    let gone_code = gone.split(',').next().unwrap().to_owned();
    lines.push("11510100MB15927148019999001000,个体工商户歇业备案,成都市市场监督管理局,11510100MB15927148,行政确认,是,1,B".into());
    let path = write(dir.path(), "v2.csv", lines.join("\r\n").as_bytes());

    let preview = store.preview_import(&request(&path, sample_mapping()), &quiet).unwrap();
    assert_eq!(preview.added.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["个体工商户歇业备案"]);
    assert_eq!(
        preview.retired.iter().map(|m| m.catalog_code.as_str()).collect::<Vec<_>>(),
        [gone_code.as_str()]
    );
    assert_eq!(preview.changed.len(), 2);
    let rename = &preview.changed[0];
    assert_eq!(rename.fields.len(), 1);
    assert_eq!(rename.fields[0].field, MatterField::Name);
    assert_eq!(rename.fields[0].after, "居民身份证首次申领（含临时身份证）");
    let limit = preview.changed.iter().find(|c| c.catalog_code == changed_code).unwrap();
    assert_eq!(limit.fields.len(), 1);
    assert_eq!(
        (limit.fields[0].field, limit.fields[0].before.as_str(), limit.fields[0].after.as_str()),
        (MatterField::TimeLimitDays, old_limit.as_str(), "2")
    );
    assert_eq!(preview.unchanged, 347 - 3);

    let outcome =
        store.apply_import(ACTOR, &request(&path, sample_mapping()), &preview.fingerprint, &quiet).unwrap();
    assert_eq!((outcome.added, outcome.changed, outcome.retired), (1, 2, 1));
    let catalog = store.catalog().unwrap();
    let retired = catalog.matters.iter().find(|m| m.catalog_code == gone_code).unwrap();
    assert_eq!(retired.state, MatterState::Retired, "a matter gone from the file is retired, not deleted");

    // Re-importing the original brings the retired matter back as a change of state.
    let back = store.preview_import(&request(&sample_csv(), sample_mapping()), &quiet).unwrap();
    let revived = back.changed.iter().find(|c| c.catalog_code == gone_code).unwrap();
    assert!(revived
        .fields
        .iter()
        .any(|f| f.field == MatterField::State && f.before == "retired" && f.after == "active"));
    assert_eq!(back.retired.len(), 1, "the matter added by v2 is retired again");
}

#[test]
fn columns_left_unmapped_keep_the_halls_values() {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    // Another province's export: fewer columns, other headers, no prefix or required flag.
    let dir = tempfile::tempdir().unwrap();
    let mut out = String::from("实施编码,实施清单名称,实施部门\n");
    for line in sample_lines().iter().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        out.push_str(&format!("{},{},{}\n", c[0], c[1], c[2]));
    }
    let path = write(dir.path(), "province-b.csv", out.as_bytes());
    let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
    assert_eq!(
        (inspection.mapping.catalog_code, inspection.mapping.name, inspection.mapping.department),
        (Some(0), Some(1), Some(2))
    );
    let preview = store.preview_import(&request(&path, inspection.mapping.clone()), &quiet).unwrap();
    assert_eq!((preview.added.len(), preview.changed.len(), preview.retired.len()), (0, 0, 0));
    assert!(
        preview.departments.is_empty(),
        "departments are matched by name when the file has no code column"
    );
}

#[test]
fn a_stale_preview_is_refused_and_nothing_is_written() {
    let (store, _) = store();
    let req = request(&sample_csv(), sample_mapping());
    let preview = store.preview_import(&req, &quiet).unwrap();
    // The catalog changes between preview and confirm (another import).
    let dir = tempfile::tempdir().unwrap();
    let lines = sample_lines();
    let small = write(dir.path(), "small.csv", lines[..3].join("\n").as_bytes());
    import(&store, &small, sample_mapping());
    let before = store.catalog().unwrap();
    let entries = audit_count(&store);
    let (code, _, message) =
        rejection(store.apply_import(ACTOR, &req, &preview.fingerprint, &quiet).unwrap_err());
    assert_eq!(code, "import.preview_stale");
    assert!(message.contains("sample-catalog.csv"), "{message}");
    assert_eq!(store.catalog().unwrap(), before);
    assert_eq!(audit_count(&store), entries);
}

#[test]
fn progress_is_reported_through_every_stage() {
    let (store, _) = store();
    let seen = std::sync::Mutex::new(Vec::new());
    let req = request(&sample_csv(), sample_mapping());
    let preview = store.preview_import(&req, &|p| seen.lock().unwrap().push(p.stage)).unwrap();
    store.apply_import(ACTOR, &req, &preview.fingerprint, &|p| seen.lock().unwrap().push(p.stage)).unwrap();
    use hallkeeper_core::proto::ImportStage::*;
    let stages = seen.into_inner().unwrap();
    for stage in [Reading, Parsing, Comparing, Done] {
        assert!(stages.contains(&stage), "{stage:?} missing from {stages:?}");
    }
    assert_eq!(stages.last(), Some(&Done));
}

// ---- bad files: each names file, row and column, and writes nothing ----

/// Imports a bad file into a store holding the sample, and checks the store is untouched.
fn refused(path: &std::path::Path, mapping: ColumnMapping) -> (String, Option<String>, String) {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    let before = store.catalog().unwrap();
    let entries = audit_count(&store);
    let err = preview_err(&store, path, mapping.clone());
    // Apply is refused the same way, whatever fingerprint it is given.
    let apply = store.apply_import(ACTOR, &request(path, mapping), "0000000000000000", &quiet).unwrap_err();
    assert_eq!(rejection(apply).0, err.0);
    assert_eq!(store.catalog().unwrap(), before);
    assert_eq!(audit_count(&store), entries);
    err
}

#[test]
fn a_file_in_neither_utf8_nor_gbk_names_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = sample_lines()[..4].join("\r\n").into_bytes();
    // Row 5: a name in bytes that are neither UTF-8 nor GBK (0xFF never occurs in either).
    bytes.extend_from_slice(b"\r\n115101000089663953999999999000,\xFF\xFE\xFF,");
    bytes.extend_from_slice("成都市公安局,115101000089663953,公共服务,是,1,A\r\n".as_bytes());
    let path = write(dir.path(), "broken.csv", &bytes);
    let (code, _, message) = refused(&path, sample_mapping());
    assert_eq!(code, "import.encoding");
    assert!(
        message.contains("broken.csv") && message.contains("第 5 行") && message.contains("事项名称"),
        "{message}"
    );
}

#[test]
fn a_utf16_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "事项编码,事项名称\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let (code, _, message) = refused(&write(dir.path(), "u16.csv", &bytes), sample_mapping());
    assert_eq!(code, "import.encoding");
    assert!(message.contains("UTF-16"), "{message}");
}

#[test]
fn a_missing_required_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "no-dept.csv", "事项编码,事项名称\n1151,居民身份证换领\n".as_bytes());
    let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
    assert_eq!(inspection.mapping.department, None);
    let (code, field, message) = refused(&path, inspection.mapping);
    assert_eq!((code.as_str(), field.as_deref()), ("import.column_missing", Some("department")));
    assert!(message.contains("no-dept.csv") && message.contains("实施部门"), "{message}");
}

#[test]
fn a_mapping_past_the_last_column_or_reusing_a_column_is_refused() {
    let mut m = sample_mapping();
    m.state = Some(8);
    let (code, field, _) = refused(&sample_csv(), m);
    assert_eq!((code.as_str(), field.as_deref()), ("import.mapping_out_of_range", Some("state")));
    let mut m = sample_mapping();
    m.ticket_prefix = Some(1);
    let (code, _, message) = refused(&sample_csv(), m);
    assert_eq!(code, "import.mapping_out_of_range");
    assert!(message.contains("第 2 列"), "{message}");
}

#[test]
fn duplicate_codes_name_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sample_lines();
    let dup = lines[3].clone();
    lines.insert(10, dup); // file row 11 repeats row 4
    let path = write(dir.path(), "dup.csv", lines.join("\r\n").as_bytes());
    let (code, field, message) = refused(&path, sample_mapping());
    assert_eq!((code.as_str(), field.as_deref()), ("import.duplicate_code", Some("catalogCode")));
    assert!(
        message.contains("第 11 行") && message.contains("第 4 行") && message.contains("事项编码"),
        "{message}"
    );
    assert!(message.contains("dup.csv"), "{message}");
}

#[test]
fn an_empty_name_names_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sample_lines();
    let mut cells: Vec<String> = lines[6].split(',').map(str::to_owned).collect();
    cells[1] = "  ".into();
    lines[6] = cells.join(",");
    let path = write(dir.path(), "empty-name.csv", lines.join("\r\n").as_bytes());
    let (code, field, message) = refused(&path, sample_mapping());
    assert_eq!((code.as_str(), field.as_deref()), ("import.value_empty", Some("name")));
    assert!(
        message.contains("empty-name.csv")
            && message.contains("第 7 行")
            && message.contains("“事项名称”列（B 列）"),
        "{message}"
    );
    let en = hallkeeper_core::store::catalog::inspect_file(&path).map(|_| ()).unwrap();
    let _ = en;
}

#[test]
fn bad_values_are_named_in_english_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sample_lines();
    let mut cells: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
    cells[6] = "十五天".into();
    lines[2] = cells.join(",");
    let path = write(dir.path(), "days.csv", lines.join("\r\n").as_bytes());
    let (store, _) = store();
    let err = store.preview_import(&request(&path, sample_mapping()), &quiet).unwrap_err();
    let en = err.to_body(Locale::EnUs);
    assert_eq!((en.code.as_str(), en.field.as_deref()), ("import.value_invalid", Some("timeLimitDays")));
    assert!(en.message.contains("\"days.csv\", row 3, column G"), "{}", en.message);
    assert!(en.message.contains("十五天"), "{}", en.message);
}

#[test]
fn a_large_binary_renamed_csv_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap(); // 50 MB of zero bytes
    let (code, field, message) = refused(&path, sample_mapping());
    assert_eq!((code.as_str(), field.as_deref()), ("import.file_too_large", Some("path")));
    assert!(message.contains("catalog.csv") && message.contains("50.0 MB"), "{message}");
}

#[test]
fn a_small_binary_or_a_workbook_renamed_csv_is_named_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    bin.extend(std::iter::repeat_n(0u8, 4096));
    let (code, _, message) = refused(&write(dir.path(), "setup.csv", &bin), sample_mapping());
    assert_eq!(code, "import.not_a_table");
    assert!(message.contains("setup.csv") && message.contains("二进制"), "{message}");

    let xlsx = dir.path().join("real.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write(0, 0, "事项编码").unwrap();
    book.save(&xlsx).unwrap();
    let renamed = write(dir.path(), "renamed.csv", &std::fs::read(&xlsx).unwrap());
    let (code, _, message) = refused(&renamed, sample_mapping());
    assert_eq!(code, "import.not_a_table");
    assert!(message.contains(".xlsx"), "{message}");
}

#[test]
fn broken_json_and_xlsx_and_empty_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, message) =
        refused(&write(dir.path(), "c.json", b"[{\"a\": 1},\n{\"a\": }]"), sample_mapping());
    assert_eq!(code, "import.json_invalid");
    assert!(message.contains("c.json") && message.contains("第 2 行"), "{message}");
    let (code, _, _) =
        refused(&write(dir.path(), "c.xlsx", b"PK\x03\x04 not really a zip"), sample_mapping());
    assert_eq!(code, "import.xlsx_invalid");
    let (code, _, _) =
        refused(&write(dir.path(), "header-only.csv", sample_lines()[0].as_bytes()), sample_mapping());
    assert_eq!(code, "import.empty");
    let (code, _, _) = refused(&dir.path().join("missing.csv"), sample_mapping());
    assert_eq!(code, "import.file_unreadable");
}

#[test]
fn json_errors_name_the_record_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"[{"事项编码":"A1","事项名称":"甲","实施主体":"部门"},{"事项编码":"A2","事项名称":"","实施主体":"部门"}]"#;
    let path = write(dir.path(), "c.json", json.as_bytes());
    let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
    let (code, _, message) = refused(&path, inspection.mapping);
    assert_eq!(code, "import.value_empty");
    assert!(message.contains("第 2 条记录的“事项名称”字段"), "{message}");
}

#[test]
fn quoted_fields_semicolons_and_a_bom_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{FEFF}事项编码;事项名称;实施主体\r\nX-1;\"婚姻登记;补领\";成都市民政局\r\n\r\n";
    let t = table::parse("semi.csv", text.as_bytes()).unwrap();
    assert_eq!(t.headers, ["事项编码", "事项名称", "实施主体"]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].cells[1], "婚姻登记;补领");
    assert_eq!(t.rows[0].number, 2);
    let _ = dir;
}
