//! Trying a transaction again when the database gave it up because of
//! another writer: a deadlock or serialization failure on PostgreSQL and
//! MySQL, a busy database or a stale read snapshot on SQLite (a
//! transaction that read before another connection committed cannot
//! write).

use std::future::Future;
use std::time::Duration;

use super::EngineError;

/// How often a transaction is tried in all.
const ATTEMPTS: usize = 5;

/// Runs `op` until it succeeds, fails for another reason, or has been
/// tried [`ATTEMPTS`] times; `what` names it in the debug log. `op` must
/// be a whole transaction (or several that are safe to run again), so that
/// a failed attempt left nothing behind.
pub(crate) async fn retrying<T, Fut>(
    what: &str,
    mut op: impl FnMut() -> Fut,
) -> Result<T, EngineError>
where
    Fut: Future<Output = Result<T, EngineError>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                tracing::debug!("catalog processing: retrying {what} after: {e}");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(10 * attempt as u64)).await;
            }
            other => return other,
        }
    }
}
