//! Desktop preferences kept in the store: the UI language and the operator's name.

use super::Store;
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{Locale, Settings};
use rusqlite::{params, OptionalExtension};

const LOCALE: &str = "locale";
const OPERATOR: &str = "operator";
const LOCK_MINUTES: &str = "lock_minutes";

/// Minutes without input after which the desktop locks itself and asks for the password again,
/// unless set otherwise: a supervisor away from the desk for a coffee is not left signed in.
pub const DEFAULT_LOCK_MINUTES: u32 = 15;
/// The longest the setting may be: half a shift (the server's session ends after 12 idle hours).
pub const MAX_LOCK_MINUTES: u32 = 240;

impl Store {
    fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
        })
    }

    fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        // A preference, not a change to the hall: written in its own transaction, not audited.
        self.write("", |w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    /// The saved settings; `default_operator` (e.g. the OS user) when none is saved.
    pub fn settings(&self, default_operator: &str) -> Result<Settings> {
        let locale = self.setting(LOCALE)?.and_then(|l| Locale::parse(&l)).unwrap_or_default();
        let operator = self.setting(OPERATOR)?.unwrap_or_else(|| default_operator.to_owned());
        Ok(Settings { locale, operator })
    }

    pub fn set_locale(&self, locale: &str) -> Result<Locale> {
        let parsed = Locale::parse(locale).ok_or_else(|| {
            Rejection::new(Code::SettingsLocaleInvalid).field("locale").arg("locale", locale)
        })?;
        self.put_setting(LOCALE, parsed.as_str())?;
        Ok(parsed)
    }

    /// Idle minutes before the desktop locks ([`DEFAULT_LOCK_MINUTES`] unless set).
    pub fn lock_minutes(&self) -> Result<u32> {
        Ok(self.setting(LOCK_MINUTES)?.and_then(|m| m.parse().ok()).unwrap_or(DEFAULT_LOCK_MINUTES))
    }

    pub fn set_lock_minutes(&self, minutes: u32) -> Result<u32> {
        if !(1..=MAX_LOCK_MINUTES).contains(&minutes) {
            return Err(Rejection::new(Code::SettingsLockMinutesInvalid)
                .field("minutes")
                .arg("max", MAX_LOCK_MINUTES)
                .into());
        }
        self.put_setting(LOCK_MINUTES, &minutes.to_string())?;
        Ok(minutes)
    }

    pub fn set_operator(&self, operator: &str) -> Result<String> {
        let name = operator.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(Rejection::new(Code::SettingsOperatorInvalid).field("operator").into());
        }
        self.put_setting(OPERATOR, name)?;
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;
    use hallkeeper_proto::Locale;

    #[test]
    fn defaults_then_saved_values() {
        let (s, _) = store();
        let d = s.settings("zhang").unwrap();
        assert_eq!((d.locale, d.operator.as_str()), (Locale::ZhCn, "zhang"));
        s.set_locale("en-US").unwrap();
        s.set_operator(" 王主任 ").unwrap();
        let d = s.settings("zhang").unwrap();
        assert_eq!((d.locale, d.operator.as_str()), (Locale::EnUs, "王主任"));
    }

    #[test]
    fn bad_values_are_refused_and_kept_out() {
        let (s, _) = store();
        let e = s.set_locale("fr-FR").unwrap_err();
        assert_eq!(e.code(), "settings.locale_invalid");
        assert!(e.message(Locale::ZhCn).contains("fr-FR"));
        assert_eq!(s.set_operator("  ").unwrap_err().code(), "settings.operator_invalid");
        assert_eq!(s.settings("zhang").unwrap().locale, Locale::ZhCn);
    }

    #[test]
    fn the_lock_waits_15_minutes_unless_set_within_its_range() {
        let (s, _) = store();
        assert_eq!(s.lock_minutes().unwrap(), 15);
        assert_eq!(s.set_lock_minutes(5).unwrap(), 5);
        assert_eq!(s.lock_minutes().unwrap(), 5);
        for bad in [0, 241] {
            assert_eq!(s.set_lock_minutes(bad).unwrap_err().code(), "settings.lock_minutes_invalid");
        }
        assert_eq!(s.lock_minutes().unwrap(), 5);
    }
}
