//! Which rows of a rowid table can differ between two versions, found by
//! comparing the table's b-tree pages instead of its rows.
//!
//! A page that is byte-identical at the same page number in both versions
//! holds the same cells. So the two trees are walked together from their
//! roots: children are paired by page number; a leaf identical in both
//! (and its overflow chains identical) holds identical rows and is skipped;
//! every other leaf contributes the rowid range it covers. A row that is in
//! one version but not the other, or that changed, sits in a leaf that is
//! not identical in both, so the union of those ranges holds every
//! difference (a superset: the rows in them are then compared one by one).
//!
//! Pages are read through `sqlite_dbpage` (the page as SQLite sees it, with
//! the `-wal` applied); cells are decoded as the SQLite file format
//! documents (https://www.sqlite.org/fileformat2.html, "B-tree Pages").
//! Anything unexpected (a bad page, a loop) makes the caller compare the
//! whole table instead: never a wrong answer.

use crate::error::{DbError, Result, SqliteResultExt};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashSet;
use std::path::Path;

/// One version's pages, read by number.
pub(super) struct Pages<'c> {
    path: &'c Path,
    stmt: rusqlite::Statement<'c>,
    /// Usable bytes per page (page size minus the reserved space).
    usable: usize,
    pub(super) page_size: usize,
}

impl<'c> Pages<'c> {
    /// `None` when this SQLite was built without `sqlite_dbpage` (a build
    /// outside the repository's `.cargo/config.toml`): tables are then
    /// compared row by row, still exactly.
    pub(super) fn open(conn: &'c Connection, path: &'c Path) -> Result<Option<Pages<'c>>> {
        // SQLCipher answers `page_size` of an encrypted database as text
        // (its `cipher_page_size`).
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| match r.get::<_, rusqlite::types::Value>(0)? {
                rusqlite::types::Value::Integer(n) => Ok(n),
                rusqlite::types::Value::Text(t) => Ok(t.trim().parse().unwrap_or(0)),
                _ => Ok(0),
            })
            .at(path)?;
        let Ok(stmt) = conn.prepare("SELECT data FROM sqlite_dbpage WHERE pgno = ?1") else {
            tracing::warn!("sqlite_dbpage is not compiled in: diffs compare every row");
            return Ok(None);
        };
        let mut pages = Pages { path, stmt, usable: 0, page_size: usize::try_from(page_size).unwrap_or(0) };
        // The reserved space per page is byte 20 of the header (page 1).
        let first = pages.read(1)?.ok_or_else(|| corrupt("no page 1"))?;
        let reserved = usize::from(*first.get(20).ok_or_else(|| corrupt("short page 1"))?);
        pages.usable = pages.page_size.saturating_sub(reserved);
        Ok(Some(pages))
    }

    pub(super) fn read(&mut self, pgno: u32) -> Result<Option<Vec<u8>>> {
        self.stmt.query_row([pgno], |r| r.get::<_, Vec<u8>>(0)).optional().at(self.path)
    }
}

fn corrupt(what: &str) -> DbError {
    DbError::Internal(format!("unexpected b-tree page ({what})"))
}

/// A decoded b-tree page: its kind and what the walk needs from its cells.
enum Node {
    /// Child page numbers, left to right (the right-most child last).
    Interior(Vec<u32>),
    /// Rowids of its cells in order, and the first overflow page of each
    /// cell that spills.
    Leaf { rowids: Vec<i64>, overflow: Vec<u32> },
}

fn varint(bytes: &[u8], at: usize) -> Option<(i64, usize)> {
    let mut value: u64 = 0;
    for i in 0..9 {
        let b = *bytes.get(at + i)?;
        if i == 8 {
            return Some(((value << 8 | u64::from(b)) as i64, 9));
        }
        value = value << 7 | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((value as i64, i + 1));
        }
    }
    None
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Bytes of a table-leaf payload of `total` bytes that stay on the page.
fn local_payload(usable: usize, total: usize) -> usize {
    let max_local = usable - 35;
    if total <= max_local {
        return total;
    }
    let min_local = (usable - 12) * 32 / 255 - 23;
    let k = min_local + (total - min_local) % (usable - 4);
    if k <= max_local {
        k
    } else {
        min_local
    }
}

fn decode(page: &[u8], pgno: u32, usable: usize) -> Option<Node> {
    // Page 1 starts with the 100-byte database header.
    let base = if pgno == 1 { 100 } else { 0 };
    let kind = *page.get(base)?;
    let cells = u16_at(page, base + 3)?;
    match kind {
        0x05 => {
            let mut children = Vec::with_capacity(cells + 1);
            for i in 0..cells {
                let cell = u16_at(page, base + 12 + 2 * i)?;
                children.push(u32_at(page, cell)?);
            }
            children.push(u32_at(page, base + 8)?);
            Some(Node::Interior(children))
        }
        0x0D => {
            let mut rowids = Vec::with_capacity(cells);
            let mut overflow = Vec::new();
            for i in 0..cells {
                let cell = u16_at(page, base + 8 + 2 * i)?;
                let (payload, n1) = varint(page, cell)?;
                let (rowid, n2) = varint(page, cell + n1)?;
                let payload = usize::try_from(payload).ok()?;
                let local = local_payload(usable, payload);
                if local < payload {
                    overflow.push(u32_at(page, cell + n1 + n2 + local)?);
                }
                rowids.push(rowid);
            }
            Some(Node::Leaf { rowids, overflow })
        }
        _ => None,
    }
}

/// Rowid ranges (inclusive, unsorted, may overlap) that hold every row that
/// differs between the table rooted at `root_a` in `a` and at `root_b` in
/// `b`; `None` when the pages could not be read as expected (compare all).
pub(super) fn changed_ranges(
    a: &mut Pages<'_>,
    root_a: u32,
    b: &mut Pages<'_>,
    root_b: u32,
) -> Result<Option<Vec<(i64, i64)>>> {
    if a.page_size != b.page_size || a.usable != b.usable {
        return Ok(None);
    }
    let mut walk = Walk { ranges: Vec::new(), seen: HashSet::new(), broken: false };
    walk.pair(a, Some(root_a), b, Some(root_b))?;
    Ok((!walk.broken).then_some(walk.ranges))
}

struct Walk {
    ranges: Vec<(i64, i64)>,
    /// Pages visited on each side (a page met twice means a damaged tree).
    seen: HashSet<(bool, u32)>,
    broken: bool,
}

impl Walk {
    fn visit(&mut self, side: bool, pgno: u32) -> bool {
        if !self.seen.insert((side, pgno)) {
            self.broken = true;
        }
        !self.broken
    }

    /// Compares the subtrees at `pa` (in a) and `pb` (in b).
    fn pair(&mut self, a: &mut Pages<'_>, pa: Option<u32>, b: &mut Pages<'_>, pb: Option<u32>) -> Result<()> {
        if self.broken {
            return Ok(());
        }
        let (Some(na), Some(nb)) = (pa, pb) else {
            if let Some(p) = pa {
                self.collect(a, true, p)?;
            }
            if let Some(p) = pb {
                self.collect(b, false, p)?;
            }
            return Ok(());
        };
        if !self.visit(true, na) || !self.visit(false, nb) {
            return Ok(());
        }
        let (Some(page_a), Some(page_b)) = (a.read(na)?, b.read(nb)?) else {
            self.broken = true;
            return Ok(());
        };
        let (Some(node_a), Some(node_b)) = (decode(&page_a, na, a.usable), decode(&page_b, nb, b.usable))
        else {
            self.broken = true;
            return Ok(());
        };
        match (node_a, node_b) {
            (Node::Leaf { rowids, overflow }, Node::Leaf { rowids: rowids_b, .. }) => {
                let same = na == nb && page_a == page_b && self.same_chains(a, b, &overflow)?;
                if !same {
                    self.push_leaf(&rowids);
                    self.push_leaf(&rowids_b);
                }
            }
            (Node::Interior(children_a), Node::Interior(children_b)) => {
                // Children kept at the same page number are compared in
                // depth; the others are collected whole.
                let in_b: HashSet<u32> = children_b.iter().copied().collect();
                let in_a: HashSet<u32> = children_a.iter().copied().collect();
                for child in &children_a {
                    if in_b.contains(child) {
                        self.pair(a, Some(*child), b, Some(*child))?;
                    } else {
                        self.pair(a, Some(*child), b, None)?;
                    }
                }
                for child in children_b.iter().filter(|c| !in_a.contains(c)) {
                    self.pair(a, None, b, Some(*child))?;
                }
            }
            (left, right) => {
                // A leaf became an interior page (or the reverse): take both.
                self.collect_node(a, true, left)?;
                self.collect_node(b, false, right)?;
            }
        }
        Ok(())
    }

    /// Whether the overflow chains starting at `firsts` are identical in
    /// both versions (the leaves holding them are).
    fn same_chains(&mut self, a: &mut Pages<'_>, b: &mut Pages<'_>, firsts: &[u32]) -> Result<bool> {
        for &first in firsts {
            let mut next = first;
            let mut hops = 0u32;
            while next != 0 {
                hops += 1;
                if hops > 1_000_000 {
                    self.broken = true;
                    return Ok(false);
                }
                let (pa, pb) = (a.read(next)?, b.read(next)?);
                match (pa, pb) {
                    (Some(x), Some(y)) if x == y => next = u32_at(&x, 0).unwrap_or(0),
                    _ => return Ok(false),
                }
            }
        }
        Ok(true)
    }

    fn push_leaf(&mut self, rowids: &[i64]) {
        if let (Some(first), Some(last)) = (rowids.first(), rowids.last()) {
            self.ranges.push((*first.min(last), *first.max(last)));
        }
    }

    /// Every leaf under `pgno` contributes its range.
    fn collect(&mut self, pages: &mut Pages<'_>, side: bool, pgno: u32) -> Result<()> {
        if !self.visit(side, pgno) {
            return Ok(());
        }
        let Some(page) = pages.read(pgno)? else {
            self.broken = true;
            return Ok(());
        };
        match decode(&page, pgno, pages.usable) {
            Some(node) => self.collect_node(pages, side, node),
            None => {
                self.broken = true;
                Ok(())
            }
        }
    }

    fn collect_node(&mut self, pages: &mut Pages<'_>, side: bool, node: Node) -> Result<()> {
        match node {
            Node::Leaf { rowids, .. } => self.push_leaf(&rowids),
            Node::Interior(children) => {
                for child in children {
                    self.collect(pages, side, child)?;
                }
            }
        }
        Ok(())
    }
}

/// Sorts and merges overlapping or adjacent ranges.
pub(super) fn merge(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_local_payloads() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((-1, 9)));
        assert_eq!(varint(&[0x81], 0), None, "truncated");
        assert_eq!(local_payload(4096, 100), 100);
        assert_eq!(local_payload(4096, 4061), 4061, "X = U - 35 stays local");
        let spill = local_payload(4096, 10_000);
        assert!(((4096 - 12) * 32 / 255 - 23..4061).contains(&spill));
    }

    #[test]
    fn merges_ranges() {
        assert_eq!(merge(vec![(5, 9), (1, 3), (4, 4), (20, 30), (25, 26)]), vec![(1, 9), (20, 30)]);
        assert_eq!(merge(vec![(i64::MAX - 1, i64::MAX), (i64::MIN, i64::MIN)]).len(), 2);
    }
}
