//! Fixed-bucket histograms of durations, for the 90th percentile from rollups.
//!
//! Buckets: 30 s wide up to 2 h (240 buckets), 10 min wide from 2 h to 8 h (36), and one from 8 h
//! to 24 h; longer durations count in the last one. A percentile is reported as the upper edge of
//! the bucket holding it, so it is exact *at bucket resolution*: at most 30 s above the true
//! value under 2 h, at most 10 min above it under 8 h. Because bucketing is monotone, the bucket
//! holding the k-th smallest value is the one where the cumulative count reaches k, so a
//! percentile from summed histograms equals the raw data's percentile, bucketed.

/// Number of buckets.
pub const BUCKETS: usize = 240 + 36 + 1;
const FINE_END: u32 = 2 * 3600;
const COARSE_END: u32 = 8 * 3600;
const TOP_END: u32 = 24 * 3600;

/// The bucket a duration falls in.
pub fn bucket(secs: u32) -> usize {
    if secs < FINE_END {
        (secs / 30) as usize
    } else if secs < COARSE_END {
        240 + ((secs - FINE_END) / 600) as usize
    } else {
        BUCKETS - 1
    }
}

/// The exclusive upper edge of a bucket, in seconds: what a percentile falling in it reports.
pub fn upper_edge(bucket: usize) -> u32 {
    match bucket {
        b if b < 240 => (b as u32 + 1) * 30,
        b if b < BUCKETS - 1 => FINE_END + (b as u32 - 239) * 600,
        _ => TOP_END,
    }
}

/// A duration at bucket resolution: the upper edge of its bucket.
pub fn resolve(secs: u32) -> u32 {
    upper_edge(bucket(secs))
}

/// The nearest-rank position of the 90th percentile among `n` values (1-based): ⌈0.9 n⌉.
pub fn p90_rank(n: u64) -> u64 {
    (9 * n).div_ceil(10).max(1)
}

/// The 90th percentile of a dense histogram at bucket resolution; None when empty.
pub fn p90(counts: &[u64]) -> Option<u32> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let rank = p90_rank(n);
    let mut seen = 0u64;
    for (b, c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return Some(upper_edge(b));
        }
    }
    None
}

/// The 90th percentile of one encoded histogram, read in place (a day report's rows each have
/// one); `None` when the blob is damaged.
pub(crate) fn p90_of(blob: &[u8]) -> Option<Option<u32>> {
    // A day's histogram has a few dozen buckets at most: kept on the stack while the total is
    // counted, so the blob is decoded once.
    let mut held = [(0usize, 0u64); 48];
    let (mut len, mut n) = (0usize, 0u64);
    if !decode(blob, |b, c| {
        if let Some(slot) = held.get_mut(len) {
            *slot = (b, c);
        }
        len += 1;
        n += c;
    }) {
        return None;
    }
    if n == 0 {
        return Some(None);
    }
    let rank = p90_rank(n);
    let mut seen = 0u64;
    if len <= held.len() {
        return Some(
            held[..len]
                .iter()
                .find(|(_, c)| {
                    seen += c;
                    seen >= rank
                })
                .map(|(b, _)| upper_edge(*b)),
        );
    }
    let mut found = None;
    decode(blob, |b, c| {
        if found.is_none() {
            seen += c;
            if seen >= rank {
                found = Some(upper_edge(b));
            }
        }
    });
    Some(found)
}

/// Sums encoded histograms. A key read from one rollup row (every key of a day report) keeps
/// its buckets sparse; a dense array is made only when a second row for the key arrives.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sum {
    sparse: Vec<(usize, u64)>,
    dense: Option<Vec<u64>>,
}

impl Sum {
    /// Adds an encoded histogram; false when the blob is damaged.
    pub(crate) fn add(&mut self, blob: &[u8]) -> bool {
        if let Some(d) = &mut self.dense {
            return decode(blob, |b, c| d[b] += c);
        }
        if self.sparse.is_empty() {
            // Every entry takes at least two bytes.
            self.sparse.reserve_exact(blob.len() / 2);
            return decode(blob, |b, c| self.sparse.push((b, c)));
        }
        let mut d = vec![0u64; BUCKETS];
        for &(b, c) in &self.sparse {
            d[b] += c;
        }
        let ok = decode(blob, |b, c| d[b] += c);
        self.sparse = Vec::new();
        self.dense = Some(d);
        ok
    }

    pub(crate) fn p90(&self) -> Option<u32> {
        match &self.dense {
            Some(d) => p90(d),
            // Decoded in bucket order, so cumulative counts work the same.
            None => {
                let n: u64 = self.sparse.iter().map(|(_, c)| c).sum();
                if n == 0 {
                    return None;
                }
                let rank = p90_rank(n);
                let mut seen = 0;
                self.sparse
                    .iter()
                    .find(|(_, c)| {
                        seen += c;
                        seen >= rank
                    })
                    .map(|(b, _)| upper_edge(*b))
            }
        }
    }
}

/// Sparse encoding: for each non-empty bucket, the gap from the previous one and its count, as
/// LEB128 varints. A typical month of one window is a few hundred bytes, not 277 × 8.
pub fn encode(counts: impl IntoIterator<Item = (usize, i64)>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = 0usize;
    for (b, c) in counts.into_iter().filter(|(_, c)| *c > 0) {
        put_varint(&mut out, (b - prev) as u64);
        put_varint(&mut out, c as u64);
        prev = b;
    }
    out
}

/// Calls `f(bucket, count)` for each entry of an encoded histogram. A damaged blob stops early
/// (returns false) rather than panicking.
#[inline]
pub fn decode(blob: &[u8], mut f: impl FnMut(usize, u64)) -> bool {
    let mut pos = 0usize;
    let mut b = 0usize;
    while pos < blob.len() {
        let Some(gap) = get_varint(blob, &mut pos) else { return false };
        let Some(count) = get_varint(blob, &mut pos) else { return false };
        b = match usize::try_from(gap).ok().and_then(|g| b.checked_add(g)) {
            Some(b) if b < BUCKETS => b,
            _ => return false,
        };
        f(b, count);
    }
    true
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn get_varint(blob: &[u8], pos: &mut usize) -> Option<u64> {
    // Most gaps and counts are below 128: one byte.
    let first = *blob.get(*pos)?;
    if first < 0x80 {
        *pos += 1;
        return Some(u64::from(first));
    }
    let mut v = 0u64;
    let mut shift = 0u32;
    loop {
        let byte = *blob.get(*pos)?;
        *pos += 1;
        if shift > 63 {
            return None;
        }
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_the_day_monotonically() {
        let mut last = 0;
        for s in (0..100_000).step_by(7) {
            let b = bucket(s);
            assert!(b >= last && b < BUCKETS);
            assert!(s < upper_edge(b) || b == BUCKETS - 1);
            last = b;
        }
        assert_eq!((bucket(29), bucket(30), bucket(7199), bucket(7200)), (0, 1, 239, 240));
        assert_eq!((upper_edge(0), upper_edge(239), upper_edge(240)), (30, 7200, 7800));
        assert_eq!((bucket(28_799), bucket(28_800)), (275, 276));
        assert_eq!(upper_edge(275), 28_800);
    }

    #[test]
    fn sparse_blobs_round_trip() {
        let entries = vec![(0, 3), (5, 1), (239, 100_000), (276, 2)];
        let blob = encode(entries.iter().copied());
        let mut back = Vec::new();
        assert!(decode(&blob, |b, c| back.push((b, c as i64))));
        assert_eq!(back, entries);
        assert!(!decode(&[0x80], |_, _| {}));
        // A gap past the last bucket (278).
        assert!(!decode(&[0x96, 0x02, 0x01], |_, _| {}));
    }

    #[test]
    fn sums_of_one_or_many_blobs_give_the_dense_p90() {
        let a = encode([(3, 5i64), (40, 4), (200, 1)]);
        let b = encode([(3, 1i64), (250, 6)]);
        let mut one = Sum::default();
        assert!(one.add(&a));
        assert_eq!(one.p90(), Some(upper_edge(40)));
        let mut two = one.clone();
        assert!(two.add(&b));
        let mut dense = vec![0u64; BUCKETS];
        for (bk, c) in [(3, 6u64), (40, 4), (200, 1), (250, 6)] {
            dense[bk] = c;
        }
        assert_eq!(two.p90(), p90(&dense));
        assert_eq!(Sum::default().p90(), None);
    }

    #[test]
    fn p90_is_the_nearest_rank_bucket() {
        let mut h = vec![0u64; BUCKETS];
        // 10 values: 9 in bucket 0, 1 in bucket 10 → rank 9 is in bucket 0.
        h[0] = 9;
        h[10] = 1;
        assert_eq!(p90(&h), Some(30));
        h[0] = 8;
        h[10] = 2;
        assert_eq!(p90(&h), Some(330));
        assert_eq!(p90(&[0; BUCKETS]), None);
        assert_eq!(p90_rank(1), 1);
        assert_eq!(p90_rank(10), 9);
        assert_eq!(p90_rank(11), 10);
    }

    proptest::proptest! {
        // The in-place p90 of one blob (day reports) agrees with the dense one, whether the
        // blob fits the stack buffer or not, and refuses what `decode` refuses.
        #[test]
        fn p90_of_one_blob_is_the_dense_p90(
            entries in proptest::collection::btree_map(0usize..BUCKETS, 1u64..300, 0..120),
        ) {
            let blob = encode(entries.iter().map(|(b, c)| (*b, *c as i64)));
            let mut dense = vec![0u64; BUCKETS];
            for (b, c) in &entries {
                dense[*b] = *c;
            }
            proptest::prop_assert_eq!(p90_of(&blob), Some(p90(&dense)));
            let mut cut = blob.clone();
            if cut.pop().is_some() && !decode(&cut, |_, _| {}) {
                proptest::prop_assert_eq!(p90_of(&cut), None);
            }
        }
    }
}
