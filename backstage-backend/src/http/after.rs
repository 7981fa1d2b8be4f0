//! Running a function on a future's output together with per-request state,
//! as a nameable future type (so a tower service can return it) that needs
//! neither a box nor `unsafe` pin projection.

use std::future::Future;

use futures_util::FutureExt;
use futures_util::future::{Join, Map, Ready, join, ready};

/// `inner`, then `finish((output, state))`.
pub(crate) type After<F, T, O> = Map<Join<F, Ready<T>>, fn((<F as Future>::Output, T)) -> O>;

/// Runs `inner`, then hands its output and `state` to `finish`.
pub(crate) fn after<F: Future, T, O>(
    inner: F,
    state: T,
    finish: fn((F::Output, T)) -> O,
) -> After<F, T, O> {
    join(inner, ready(state)).map(finish)
}
