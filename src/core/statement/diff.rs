//! "What changed since you last consented": a per-section diff of two statement revisions,
//! down to list items and words, so the viewer can highlight inserted and deleted text.
//! Every LCS is bounded by [`MAX_LCS_CELLS`]; beyond it a block counts as replaced whole.

use crate::prelude::*;

use super::{Block, Inline, Section, Statement, COOKIE_DECLARATION};

/// Largest LCS table (old tokens × new tokens, after trimming the common prefix and suffix)
/// computed for one comparison; larger inputs fall back to "replaced whole".
pub const MAX_LCS_CELLS: usize = 250_000;

/// Minimum share of common words (2·common / (old + new)) for two unequal blocks or list
/// items to be shown as one edited thing rather than one removed and one added.
const SIMILAR_PERCENT: usize = 40;

/// The difference between an earlier and a later revision of a statement (same language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDiff<'a> {
    pub old_revision: &'a str,
    pub new_revision: &'a str,
    /// Word diff of the title, when it changed.
    pub title: Option<Vec<DiffRun>>,
    /// Word diff of the intro, when it changed.
    pub intro: Option<Vec<DiffRun>>,
    /// In the new statement's order; a removed section follows the section that preceded it
    /// in the old statement (or comes first when nothing did).
    pub sections: Vec<SectionChange<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionChange<'a> {
    Added(&'a Section),
    Removed(&'a Section),
    Changed(SectionDiff<'a>),
    /// Present in both revisions with identical content.
    Unchanged(&'a Section),
}

/// A section present in both revisions whose heading or blocks differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDiff<'a> {
    pub id: &'a str,
    pub old: &'a Section,
    pub new: &'a Section,
    /// Word diff of the heading, when it changed.
    pub heading: Option<Vec<DiffRun>>,
    /// The blocks of both revisions, aligned, in reading order.
    pub blocks: Vec<BlockChange<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockChange<'a> {
    Same(&'a Block),
    Added(&'a Block),
    Removed(&'a Block),
    /// An edited paragraph, word by word.
    Paragraph(Vec<DiffRun>),
    /// An edited list, item by item.
    List(Vec<ItemChange<'a>>),
    /// Shown as the old block struck out and the new one inserted: a changed contact block,
    /// or a paragraph too large to diff word by word.
    Replaced {
        old: &'a Block,
        new: &'a Block,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemChange<'a> {
    Same(&'a [Inline]),
    Added(&'a [Inline]),
    Removed(&'a [Inline]),
    /// An edited item, word by word.
    Changed(Vec<DiffRun>),
}

/// A run of text in a word diff, keeping its inline kind so links stay links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffRun {
    Same(Inline),
    Inserted(Inline),
    Deleted(Inline),
}

impl DiffRun {
    pub fn inline(&self) -> &Inline {
        match self {
            DiffRun::Same(i) | DiffRun::Inserted(i) | DiffRun::Deleted(i) => i,
        }
    }
}

impl SectionChange<'_> {
    /// The section id (the deep link), from whichever revision has the section.
    pub fn id(&self) -> &str {
        match self {
            SectionChange::Added(s) | SectionChange::Removed(s) | SectionChange::Unchanged(s) => &s.id,
            SectionChange::Changed(d) => d.id,
        }
    }

    pub fn is_unchanged(&self) -> bool {
        matches!(self, SectionChange::Unchanged(_))
    }
}

impl StatementDiff<'_> {
    /// True when anything a reader can see differs (the revision id alone does not count).
    pub fn has_changes(&self) -> bool {
        self.title.is_some() || self.intro.is_some() || !self.sections.iter().all(SectionChange::is_unchanged)
    }
}

/// Compares two revisions of the statement in one language, section by section (by id).
pub fn diff<'a>(old: &'a Statement, new: &'a Statement) -> StatementDiff<'a> {
    let title = (old.title != new.title).then(|| diff_text(&old.title, &new.title));
    let intro = (old.intro != new.intro).then(|| diff_runs_or_replace(&old.intro, &new.intro));

    // Removed sections are anchored after the nearest earlier old section that still exists.
    let mut removed_at_start = Vec::new();
    let mut removed_after: Vec<(&str, &Section)> = Vec::new();
    let mut anchor: Option<&str> = None;
    for section in &old.sections {
        if new.section(&section.id).is_some() {
            anchor = Some(&section.id);
        } else {
            match anchor {
                Some(id) => removed_after.push((id, section)),
                None => removed_at_start.push(section),
            }
        }
    }

    let mut sections: Vec<SectionChange> = removed_at_start.into_iter().map(SectionChange::Removed).collect();
    for section in &new.sections {
        sections.push(match old.section(&section.id) {
            None => SectionChange::Added(section),
            Some(before) if before == section => SectionChange::Unchanged(section),
            Some(before) => SectionChange::Changed(diff_section(before, section)),
        });
        sections
            .extend(removed_after.iter().filter(|(id, _)| *id == section.id).map(|(_, s)| SectionChange::Removed(s)));
    }
    StatementDiff { old_revision: &old.revision, new_revision: &new.revision, title, intro, sections }
}

fn diff_section<'a>(old: &'a Section, new: &'a Section) -> SectionDiff<'a> {
    let heading = (old.heading != new.heading).then(|| diff_text(&old.heading, &new.heading));
    let mut blocks = Vec::with_capacity(new.blocks.len());
    for step in align(&old.blocks, &new.blocks, block_words) {
        blocks.push(match step {
            Step::Same(_, j) => BlockChange::Same(&new.blocks[j]),
            Step::Old(i) => BlockChange::Removed(&old.blocks[i]),
            Step::New(j) => BlockChange::Added(&new.blocks[j]),
            Step::Pair(i, j) => diff_block(&old.blocks[i], &new.blocks[j]),
        });
    }
    SectionDiff { id: &new.id, old, new, heading, blocks }
}

fn diff_block<'a>(old: &'a Block, new: &'a Block) -> BlockChange<'a> {
    match (old, new) {
        (Block::Paragraph(a), Block::Paragraph(b)) => match diff_runs(a, b) {
            Some(runs) => BlockChange::Paragraph(runs),
            None => BlockChange::Replaced { old, new },
        },
        (Block::List(a), Block::List(b)) => {
            let mut items = Vec::with_capacity(b.len());
            for step in align(a, b, |item| Words::of("item", item.iter().map(Inline::text))) {
                match step {
                    Step::Same(_, j) => items.push(ItemChange::Same(&b[j])),
                    Step::Old(i) => items.push(ItemChange::Removed(&a[i])),
                    Step::New(j) => items.push(ItemChange::Added(&b[j])),
                    Step::Pair(i, j) => match diff_runs(&a[i], &b[j]) {
                        Some(runs) => items.push(ItemChange::Changed(runs)),
                        None => {
                            items.push(ItemChange::Removed(&a[i]));
                            items.push(ItemChange::Added(&b[j]));
                        }
                    },
                }
            }
            BlockChange::List(items)
        }
        _ => BlockChange::Replaced { old, new },
    }
}

/// The sorted words of an element and its kind: what similarity is judged on.
struct Words<'a> {
    kind: &'static str,
    words: Vec<&'a str>,
}

impl<'a> Words<'a> {
    fn of(kind: &'static str, texts: impl IntoIterator<Item = &'a str>) -> Words<'a> {
        let mut words: Vec<&str> = Vec::new();
        for text in texts {
            words.extend(tokens(text).filter(|t| t.chars().next().is_some_and(is_word_char)));
        }
        heap_sort(&mut words);
        Words { kind, words }
    }

    /// Same kind and enough words in common to be shown as one edited element.
    fn similar(&self, other: &Words) -> bool {
        let (x, y) = (&self.words, &other.words);
        if self.kind != other.kind || x.is_empty() || y.is_empty() {
            return false;
        }
        // Size of the multiset intersection of the two sorted word lists.
        let (mut i, mut j, mut common) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(y[j]) {
                core::cmp::Ordering::Less => i += 1,
                core::cmp::Ordering::Greater => j += 1,
                core::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        200 * common >= SIMILAR_PERCENT * (x.len() + y.len())
    }
}

/// Sorts in place in O(n log n) without extra memory. Not `sort_unstable`: its pattern-defeating
/// quicksort with small-sort networks is 2.8 kB of the extras build's wasm (1.3 kB brotli), for
/// lists of a few hundred words.
pub(super) fn heap_sort(words: &mut [&str]) {
    fn sift_down(words: &mut [&str], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && words[child] < words[child + 1] {
                child += 1;
            }
            if words[root] >= words[child] {
                return;
            }
            words.swap(root, child);
            root = child;
        }
    }
    for root in (0..words.len() / 2).rev() {
        sift_down(words, root, words.len());
    }
    for end in (1..words.len()).rev() {
        words.swap(0, end);
        sift_down(words, 0, end);
    }
}

fn block_words(block: &Block) -> Words<'_> {
    match block {
        Block::Paragraph(runs) => Words::of("paragraph", runs.iter().map(Inline::text)),
        Block::List(items) => Words::of("list", items.iter().flatten().map(Inline::text)),
        // A contact card for the same organisation is the same card, edited.
        Block::Contact(c) => Words::of("contact", [c.organisation.as_str()]),
        // Its content is the config's, not the statement's: equal or absent, never edited.
        Block::CookieDeclaration => Words::of(COOKIE_DECLARATION, []),
    }
}

// ---------------------------------------------------------------------------------------
// Alignment of sequences (blocks, list items, words)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Equal elements: old index, new index.
    Same(usize, usize),
    /// Unequal but similar elements shown as one edit.
    Pair(usize, usize),
    Old(usize),
    New(usize),
}

/// Aligns two sequences: equal elements by a bounded LCS, then, inside each gap between
/// equal elements, similar ones are paired in order and the rest are removed or added.
fn align<'a, T: PartialEq>(old: &'a [T], new: &'a [T], words: impl Fn(&'a T) -> Words<'a>) -> Vec<Step> {
    let matches = lcs(old, new, |a, b| a == b).unwrap_or_default();
    let mut steps = Vec::with_capacity(old.len().max(new.len()));
    let (mut i, mut j) = (0, 0);
    for &(mi, mj) in matches.iter().chain(core::iter::once(&(old.len(), new.len()))) {
        pair_gap(i..mi, j..mj, old, new, &words, &mut steps);
        if mi < old.len() {
            steps.push(Step::Same(mi, mj));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    steps
}

/// Pairs similar elements of one gap in order. Word lists are built once per element, so a
/// gap costs one sort per element plus a linear merge per candidate pair.
fn pair_gap<'a, T>(
    old_gap: core::ops::Range<usize>,
    new_gap: core::ops::Range<usize>,
    old: &'a [T],
    new: &'a [T],
    words: &impl Fn(&'a T) -> Words<'a>,
    steps: &mut Vec<Step>,
) {
    let old_words: Vec<Words> = old_gap.clone().map(|i| words(&old[i])).collect();
    let mut next_old = old_gap.start;
    let mut pending_new = Vec::new();
    for j in new_gap {
        let new_words = words(&new[j]);
        match (next_old..old_gap.end).find(|&i| old_words[i - old_gap.start].similar(&new_words)) {
            Some(i) => {
                steps.extend((next_old..i).map(Step::Old));
                steps.extend(pending_new.drain(..).map(Step::New));
                steps.push(Step::Pair(i, j));
                next_old = i + 1;
            }
            None => pending_new.push(j),
        }
    }
    steps.extend((next_old..old_gap.end).map(Step::Old));
    steps.extend(pending_new.into_iter().map(Step::New));
}

/// Index pairs of a longest common subsequence, in order; `None` when the part left after
/// trimming the common prefix and suffix needs a table larger than [`MAX_LCS_CELLS`].
pub(super) fn lcs<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> Option<Vec<(usize, usize)>> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| eq(x, y)).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| eq(x, y)).count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (ma.len(), mb.len());
    if n.saturating_mul(m) > MAX_LCS_CELLS {
        return None;
    }
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|k| (k, k)).collect();
    if n > 0 && m > 0 {
        // table[i * (m + 1) + j] = LCS length of ma[i..] and mb[j..]; min(n, m) <= 500 fits u16.
        let width = m + 1;
        let mut table = vec![0u16; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                table[i * width + j] = if eq(&ma[i], &mb[j]) {
                    table[(i + 1) * width + j + 1] + 1
                } else {
                    table[(i + 1) * width + j].max(table[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if eq(&ma[i], &mb[j]) {
                pairs.push((prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    pairs.extend((0..suffix).map(|k| (a.len() - suffix + k, b.len() - suffix + k)));
    Some(pairs)
}

// ---------------------------------------------------------------------------------------
// Word diff

/// The inline kind a token came from; tokens only match when text and kind both match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style<'a> {
    Text,
    Emphasis,
    Link(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    text: &'a str,
    style: Style<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Deleted,
    Inserted,
}

/// A letter or digit: ASCII ones, and every character beyond ASCII that is not whitespace,
/// Latin-1 punctuation or a symbol (U+00A1–U+00BF, × and ÷) or general punctuation (U+2000–U+206F:
/// dashes, quotes, ellipsis, bullets). Not `char::is_alphanumeric`: its Unicode tables and
/// lookups were 2.8 kB of the extras build's wasm (1.7 kB brotli), and a statement is written in
/// Latin script, whose letters beyond ASCII this counts as word characters too.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii()
            && !c.is_whitespace()
            && !matches!(c, '\u{a1}'..='\u{bf}' | '×' | '÷' | '\u{2000}'..='\u{206f}'))
}

/// Splits text into words (runs of word characters, `is_word_char`), whitespace runs and single
/// punctuation characters.
pub(super) fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    core::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = if is_word_char(first) {
            rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
        } else if first.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        // Checked, not `split_at`: `len` is a char boundary, and `split_at`'s panic path for one
        // that is not was the extras build's last str cut that could panic; with it went the
        // formatting of its message (3.3 kB brotli).
        let (token, tail) = rest.split_at_checked(len)?;
        rest = tail;
        Some(token)
    })
}

fn tokenize(runs: &[Inline]) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for run in runs {
        let (text, style) = match run {
            Inline::Text(t) => (t.as_str(), Style::Text),
            Inline::Emphasis(t) => (t.as_str(), Style::Emphasis),
            Inline::Link { text, href } => (text.as_str(), Style::Link(href)),
        };
        out.extend(tokens(text).map(|text| Token { text, style }));
    }
    out
}

/// Word diff of two plain texts (title, heading); whole-text replacement beyond the limit.
pub(super) fn diff_text(old: &str, new: &str) -> Vec<DiffRun> {
    diff_runs_or_replace(&[Inline::Text(old.to_string())], &[Inline::Text(new.to_string())])
}

fn diff_runs_or_replace(old: &[Inline], new: &[Inline]) -> Vec<DiffRun> {
    diff_runs(old, new).unwrap_or_else(|| {
        let mut runs: Vec<DiffRun> = old.iter().cloned().map(DiffRun::Deleted).collect();
        runs.extend(new.iter().cloned().map(DiffRun::Inserted));
        runs
    })
}

/// Word diff of two inline sequences; `None` when it would exceed [`MAX_LCS_CELLS`].
fn diff_runs(old: &[Inline], new: &[Inline]) -> Option<Vec<DiffRun>> {
    let (a, b) = (tokenize(old), tokenize(new));
    let matches = lcs(&a, &b, |x, y| x == y)?;

    let mut ops: Vec<(Op, Token)> = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    for &(mi, mj) in &matches {
        ops.extend(a[i..mi].iter().map(|t| (Op::Deleted, *t)));
        ops.extend(b[j..mj].iter().map(|t| (Op::Inserted, *t)));
        ops.push((Op::Same, b[mj]));
        (i, j) = (mi + 1, mj + 1);
    }
    ops.extend(a[i..].iter().map(|t| (Op::Deleted, *t)));
    ops.extend(b[j..].iter().map(|t| (Op::Inserted, *t)));
    Some(group(&ops))
}

/// Turns token operations into readable runs: whitespace kept between two changes is folded
/// into them ("[-a b-]{+c d+}" rather than "[-a-]{+c+} [-b-]{+d+}"), each changed stretch
/// shows its deletions before its insertions, and neighbouring tokens of the same operation
/// and inline kind merge into one run.
fn group(ops: &[(Op, Token)]) -> Vec<DiffRun> {
    let is_change = |k: usize| ops.get(k).is_some_and(|(op, _)| *op != Op::Same);
    let mut runs: Vec<DiffRun> = Vec::new();
    let mut deleted: Vec<Token> = Vec::new();
    let mut inserted: Vec<Token> = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        let (op, token) = ops[k];
        match op {
            Op::Deleted => deleted.push(token),
            Op::Inserted => inserted.push(token),
            Op::Same => {
                // A stretch of unchanged whitespace-only tokens between two changes.
                let end = (k..ops.len())
                    .find(|&e| !(ops[e].0 == Op::Same && ops[e].1.text.trim().is_empty()))
                    .unwrap_or(ops.len());
                if end > k && k > 0 && is_change(k - 1) && is_change(end) {
                    for &(_, t) in &ops[k..end] {
                        deleted.push(t);
                        inserted.push(t);
                    }
                    k = end;
                    continue;
                }
                flush(&mut runs, &mut deleted, &mut inserted);
                push_token(&mut runs, Op::Same, token);
            }
        }
        k += 1;
    }
    flush(&mut runs, &mut deleted, &mut inserted);
    runs
}

/// Emits one changed stretch. Tokens that begin or end both its deleted and its inserted
/// side (typically a space left over from folding) are shown as unchanged text instead.
fn flush(runs: &mut Vec<DiffRun>, deleted: &mut Vec<Token>, inserted: &mut Vec<Token>) {
    let prefix = deleted.iter().zip(inserted.iter()).take_while(|(d, i)| d == i).count();
    let suffix =
        deleted[prefix..].iter().rev().zip(inserted[prefix..].iter().rev()).take_while(|(d, i)| d == i).count();
    for &t in &deleted[..prefix] {
        push_token(runs, Op::Same, t);
    }
    for &t in &deleted[prefix..deleted.len() - suffix] {
        push_token(runs, Op::Deleted, t);
    }
    for &t in &inserted[prefix..inserted.len() - suffix] {
        push_token(runs, Op::Inserted, t);
    }
    for &t in &deleted[deleted.len() - suffix..] {
        push_token(runs, Op::Same, t);
    }
    deleted.clear();
    inserted.clear();
}

/// Appends a token, extending the last run when operation and inline kind match.
fn push_token(runs: &mut Vec<DiffRun>, op: Op, token: Token) {
    if let Some(last) = runs.last_mut() {
        let same_op = matches!(
            (op, &*last),
            (Op::Same, DiffRun::Same(_)) | (Op::Deleted, DiffRun::Deleted(_)) | (Op::Inserted, DiffRun::Inserted(_))
        );
        let inline = match last {
            DiffRun::Same(i) | DiffRun::Inserted(i) | DiffRun::Deleted(i) => i,
        };
        let text = match (inline, token.style) {
            (Inline::Text(t), Style::Text) | (Inline::Emphasis(t), Style::Emphasis) => Some(t),
            (Inline::Link { text, href }, Style::Link(h)) if href == h => Some(text),
            _ => None,
        };
        if let (true, Some(text)) = (same_op, text) {
            text.push_str(token.text);
            return;
        }
    }
    let text = token.text.to_string();
    let inline = match token.style {
        Style::Text => Inline::Text(text),
        Style::Emphasis => Inline::Emphasis(text),
        Style::Link(href) => Inline::Link { text, href: href.to_string() },
    };
    runs.push(match op {
        Op::Same => DiffRun::Same(inline),
        Op::Deleted => DiffRun::Deleted(inline),
        Op::Inserted => DiffRun::Inserted(inline),
    });
}
