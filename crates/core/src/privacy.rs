//! Personal data in free text. Citizens type phone and ID numbers into rating comments ("请回电
//! 138…"); the supervisor's screens, notifications and exports show them masked, like every other
//! phone number in the app.

/// `text` with every run of 7 or more digits (an ID number's trailing X included) masked to its
/// first 3 and last 4 characters: `13812345678` → `138****5678`.
pub fn mask_number_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let idno = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && idno(chars[j]) {
                j += 1;
            }
            let run = &chars[i..j];
            if run.len() >= 7 {
                for (k, c) in run.iter().enumerate() {
                    out.push(if k < 3 || k >= run.len() - 4 { *c } else { '*' });
                }
            } else {
                out.extend(run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask_number_runs;

    #[test]
    fn phone_and_id_numbers_are_masked_short_numbers_kept() {
        assert_eq!(mask_number_runs("请回电 13812345678 谢谢"), "请回电 138****5678 谢谢");
        assert_eq!(mask_number_runs("身份证51010519900101123X"), "身份证510***********123X");
        assert_eq!(mask_number_runs("等了 45 分钟，A012 号"), "等了 45 分钟，A012 号");
        assert_eq!(mask_number_runs("1234567"), "1234567", "7 digits: 3 + 4 shown, nothing between");
        assert_eq!(mask_number_runs("12345678"), "123*5678");
    }
}
