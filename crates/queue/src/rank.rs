//! [`RankSet`]: an ordered set that also answers "how many are smaller than this?" in
//! O(log n), which `BTreeSet` cannot (its range count walks the range). The windows' queues
//! keep one each (see `crate::index`), so a ticket's place in line costs the same at 20 or
//! 20,000 waiting.
//!
//! A treap (a binary search tree whose nodes also form a heap on a second, random-looking key)
//! with the size of every subtree: insert, remove, rank and first are O(log n) expected. The
//! heap keys come from a counter through SplitMix64, so the engine stays deterministic; nobody
//! outside chooses them, so nobody can unbalance the tree. Nodes live in one `Vec` addressed by
//! `u32`, with removed slots reused.

/// No node: the empty subtree.
const NIL: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node<K> {
    key: K,
    heap: u64,
    size: u32,
    left: u32,
    right: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct RankSet<K> {
    nodes: Vec<Node<K>>,
    free: Vec<u32>,
    root: u32,
    /// Feeds the heap keys.
    draws: u64,
}

impl<K> Default for RankSet<K> {
    fn default() -> Self {
        Self { nodes: Vec::new(), free: Vec::new(), root: NIL, draws: 0 }
    }
}

/// Equal when they hold the same keys, whatever shape their history gave the tree.
impl<K: Ord + Copy> PartialEq for RankSet<K> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Copy> Eq for RankSet<K> {}

impl<K: Ord + Copy> RankSet<K> {
    pub fn len(&self) -> usize {
        self.size(self.root) as usize
    }

    /// Adds `key`; false if it was there already.
    pub fn insert(&mut self, key: K) -> bool {
        if self.contains(&key) {
            return false;
        }
        let (less, rest) = self.split(self.root, &key);
        let node = self.alloc(key);
        let left = self.merge(less, node);
        self.root = self.merge(left, rest);
        true
    }

    /// Removes `key`; false if it was not there.
    pub fn remove(&mut self, key: &K) -> bool {
        if !self.contains(key) {
            return false;
        }
        let (less, rest) = self.split(self.root, key);
        // `rest` starts with `key`: its smallest node is the one to drop.
        let (found, more) = self.split_first(rest);
        self.free.push(found);
        self.root = self.merge(less, more);
        true
    }

    pub fn contains(&self, key: &K) -> bool {
        let mut at = self.root;
        while at != NIL {
            let n = &self.nodes[at as usize];
            match key.cmp(&n.key) {
                std::cmp::Ordering::Less => at = n.left,
                std::cmp::Ordering::Greater => at = n.right,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// How many keys are smaller than `key` (whether or not `key` is in the set).
    pub fn rank(&self, key: &K) -> usize {
        let mut below = 0;
        let mut at = self.root;
        while at != NIL {
            let n = &self.nodes[at as usize];
            if n.key < *key {
                below += self.size(n.left) as usize + 1;
                at = n.right;
            } else {
                at = n.left;
            }
        }
        below
    }

    /// The smallest key.
    pub fn first(&self) -> Option<K> {
        let mut at = self.root;
        let mut last = None;
        while at != NIL {
            let n = &self.nodes[at as usize];
            last = Some(n.key);
            at = n.left;
        }
        last
    }

    /// The keys in order; taking the first k costs O(k + log n).
    pub fn iter(&self) -> Iter<'_, K> {
        let mut it = Iter { set: self, stack: Vec::new() };
        it.descend(self.root);
        it
    }

    fn size(&self, at: u32) -> u32 {
        if at == NIL {
            0
        } else {
            self.nodes[at as usize].size
        }
    }

    fn alloc(&mut self, key: K) -> u32 {
        self.draws = self.draws.wrapping_add(1);
        let node = Node { key, heap: splitmix64(self.draws), size: 1, left: NIL, right: NIL };
        match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                // A hall's queue is far below 4 billion entries; `NIL` stays out of reach.
                let slot = u32::try_from(self.nodes.len()).unwrap_or(NIL - 1);
                self.nodes.push(node);
                slot
            }
        }
    }

    fn fix(&mut self, at: u32) {
        let (l, r) = (self.nodes[at as usize].left, self.nodes[at as usize].right);
        self.nodes[at as usize].size = self.size(l) + self.size(r) + 1;
    }

    /// Splits a subtree into the keys below `key` and the rest.
    fn split(&mut self, at: u32, key: &K) -> (u32, u32) {
        if at == NIL {
            return (NIL, NIL);
        }
        if self.nodes[at as usize].key < *key {
            let (l, r) = self.split(self.nodes[at as usize].right, key);
            self.nodes[at as usize].right = l;
            self.fix(at);
            (at, r)
        } else {
            let (l, r) = self.split(self.nodes[at as usize].left, key);
            self.nodes[at as usize].left = r;
            self.fix(at);
            (l, at)
        }
    }

    /// Takes the smallest node out of a non-empty subtree: (that node, the rest).
    fn split_first(&mut self, at: u32) -> (u32, u32) {
        let left = self.nodes[at as usize].left;
        if left == NIL {
            return (at, self.nodes[at as usize].right);
        }
        let (first, rest) = self.split_first(left);
        self.nodes[at as usize].left = rest;
        self.fix(at);
        (first, at)
    }

    /// Joins two subtrees, every key of `a` below every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].heap >= self.nodes[b as usize].heap {
            let r = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = r;
            self.fix(a);
            a
        } else {
            let l = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = l;
            self.fix(b);
            b
        }
    }
}

/// In-order walk with an explicit stack (the tree's depth, O(log n) expected).
pub(crate) struct Iter<'a, K> {
    set: &'a RankSet<K>,
    stack: Vec<u32>,
}

impl<K> Iter<'_, K> {
    fn descend(&mut self, mut at: u32) {
        while at != NIL {
            self.stack.push(at);
            at = self.set.nodes[at as usize].left;
        }
    }
}

impl<K: Copy> Iterator for Iter<'_, K> {
    type Item = K;

    fn next(&mut self) -> Option<K> {
        let at = self.stack.pop()?;
        let n = &self.set.nodes[at as usize];
        let key = n.key;
        let right = n.right;
        self.descend(right);
        Some(key)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): well-spread 64-bit values from a counter.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::RankSet;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16),
        Remove(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![(0u16..300).prop_map(Op::Insert), (0u16..300).prop_map(Op::Remove)]
    }

    proptest! {
        /// Against `BTreeSet` after every step: membership, length, order, rank of every key
        /// (present or not), first.
        #[test]
        fn behaves_as_an_ordered_set_with_ranks(ops in prop::collection::vec(op(), 0..400)) {
            let mut set = RankSet::default();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(k) => prop_assert_eq!(set.insert(k), model.insert(k)),
                    Op::Remove(k) => prop_assert_eq!(set.remove(&k), model.remove(&k)),
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert_eq!(set.first(), model.first().copied());
                prop_assert!(set.iter().eq(model.iter().copied()));
                for probe in [0u16, 1, 77, 150, 299, 300] {
                    prop_assert_eq!(set.rank(&probe), model.range(..probe).count());
                    prop_assert_eq!(set.contains(&probe), model.contains(&probe));
                }
            }
        }
    }

    #[test]
    fn equal_sets_compare_equal_whatever_their_history() {
        let mut a = RankSet::default();
        let mut b = RankSet::default();
        for k in 0..50u32 {
            a.insert(k);
        }
        for k in (0..80u32).rev() {
            b.insert(k);
        }
        for k in 50..80u32 {
            b.remove(&k);
        }
        assert_eq!(a, b);
        b.remove(&3);
        assert_ne!(a, b);
    }

    #[test]
    fn stays_shallow_on_keys_inserted_in_order() {
        // The worst order for a plain search tree: 100,000 keys ascending.
        let mut set = RankSet::default();
        for k in 0..100_000u32 {
            set.insert(k);
        }
        assert_eq!(set.rank(&60_000), 60_000);
        fn depth(s: &RankSet<u32>, at: u32) -> usize {
            if at == super::NIL {
                return 0;
            }
            let n = &s.nodes[at as usize];
            1 + depth(s, n.left).max(depth(s, n.right))
        }
        // log2(100,000) ≈ 17; a treap's expected depth is about 2.5× that.
        assert!(depth(&set, set.root) < 60, "depth {}", depth(&set, set.root));
    }
}
