//! How digits that may be a citizen's number appear outside the cipher: masked. Below both the
//! phone type (its `Display`) and the provider errors (messages that echo a request), which
//! share this one masking.

/// Masks an 11-digit number; anything else becomes all stars so that a malformed value cannot
/// leak through the masking path either.
pub fn mask(digits: &str) -> String {
    if digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &digits[..3], &digits[7..])
    } else {
        "*".repeat(digits.chars().count().max(4))
    }
}

/// Masks every run of 11 or more digits: providers echo request parts (Alibaba's string-to-sign
/// contains the query, phone number included) in their error messages, which end up in logs.
pub(crate) fn redact_digits(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        match run.len() {
            11 => out.push_str(&mask(run)),
            n if n > 11 => {
                out.push_str(&"*".repeat(n - 4));
                out.push_str(&run[n - 4..]);
            }
            _ => out.push_str(run),
        }
        run.clear();
    };
    for c in message.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
