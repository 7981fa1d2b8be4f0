//! Splitting many rows into statements of a few fixed sizes.
//!
//! The catalog reads and writes rows in batches: one `IN (…)` lookup or one
//! multi-row `INSERT … VALUES (…), (…)` per chunk of rows. Every distinct
//! number of rows is a distinct SQL text, and sqlx keeps up to 100 prepared
//! statements per connection. With plain `chunks(n)` the last chunk of
//! every batch has a new length, so each connection's cache fills with
//! one-off statements — on SQLite each one a compiled program in the
//! connection's memory, the largest (2,000 postings per insert) binding
//! 6,000 values. [`StatementChunks::statement_chunks`] cuts full chunks of
//! the maximum size and splits the rest into powers of two, so a statement
//! comes in at most `log2(max) + 2` sizes and every size is reused. After
//! a 20,000-entity ingest SQLite's own memory (its `malloc` arenas) read
//! 18–23 MiB this way instead of 26–29 MiB.

/// Chunks of a slice in statement-friendly sizes; see the module docs.
pub(crate) trait StatementChunks<T> {
    /// Chunks of exactly `max` rows while that many remain, then chunks
    /// whose lengths are decreasing powers of two (the binary digits of
    /// the rest). `max` must be at least 1.
    fn statement_chunks(&self, max: usize) -> Chunks<'_, T>;
}

impl<T> StatementChunks<T> for [T] {
    fn statement_chunks(&self, max: usize) -> Chunks<'_, T> {
        Chunks {
            rest: self,
            max: max.max(1),
        }
    }
}

/// The iterator of [`StatementChunks::statement_chunks`].
pub(crate) struct Chunks<'a, T> {
    rest: &'a [T],
    max: usize,
}

impl<'a, T> Iterator for Chunks<'a, T> {
    type Item = &'a [T];

    fn next(&mut self) -> Option<&'a [T]> {
        let len = self.rest.len();
        if len == 0 {
            return None;
        }
        let take = if len >= self.max {
            self.max
        } else {
            // The largest power of two that fits (len > 0 here).
            1 << len.ilog2()
        };
        let (chunk, rest) = self.rest.split_at(take);
        self.rest = rest;
        Some(chunk)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::StatementChunks;

    fn lengths(len: usize, max: usize) -> Vec<usize> {
        let items: Vec<usize> = (0..len).collect();
        items.statement_chunks(max).map(<[usize]>::len).collect()
    }

    #[test]
    fn full_chunks_first_then_the_binary_digits_of_the_rest() {
        assert_eq!(lengths(0, 200), Vec::<usize>::new());
        assert_eq!(lengths(1, 200), [1]);
        assert_eq!(lengths(200, 200), [200]);
        assert_eq!(lengths(455, 200), [200, 200, 32, 16, 4, 2, 1]);
        assert_eq!(lengths(5, 0), [1, 1, 1, 1, 1]);
    }

    #[test]
    fn every_row_comes_once_in_order_and_sizes_stay_few() {
        let max = 200;
        let mut sizes = BTreeSet::new();
        for len in 0..=1000 {
            let items: Vec<usize> = (0..len).collect();
            let joined: Vec<usize> = items
                .statement_chunks(max)
                .flat_map(|c| c.iter().copied())
                .collect();
            assert_eq!(joined, items);
            sizes.extend(items.statement_chunks(max).map(<[usize]>::len));
        }
        // 200 and the powers of two below it: 1, 2, 4, …, 128.
        assert_eq!(sizes.len(), 9, "{sizes:?}");
    }
}
