//! Locking shared state.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`. A panic while another holder had it (poisoning) does not
/// make the state unusable here: every guarded value in this crate is valid
/// after any single update, so the lock is taken over as is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
