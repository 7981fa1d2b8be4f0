//! One computation per key at a time: concurrent callers asking for the
//! same missing answer wait for the first one instead of all asking the
//! database (a cold cache under load would otherwise run the same slow
//! query once per waiting connection).

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

/// What followers see: `None` while the leader works, then `Some(answer)`,
/// where the answer is `None` when there is nothing to share (the leader's
/// answer was not one to keep).
type Slot<V> = Option<Option<V>>;

/// The keys being computed right now.
#[derive(Debug)]
pub(crate) struct SingleFlight<V> {
    inflight: Mutex<HashMap<String, watch::Receiver<Slot<V>>>>,
}

impl<V> Default for SingleFlight<V> {
    fn default() -> Self {
        Self {
            inflight: Mutex::default(),
        }
    }
}

/// A caller's part in computing a key.
pub(crate) enum Turn<'a, V> {
    /// Nobody computes it: compute it and [`Leader::finish`].
    Lead(Leader<'a, V>),
    /// Somebody does: [`wait`] for their answer.
    Follow(watch::Receiver<Slot<V>>),
}

/// The caller computing a key; dropping it without
/// [`finish`](Leader::finish) (an error, a cancelled request) lets the
/// followers compute the answer themselves.
pub(crate) struct Leader<'a, V> {
    flight: &'a SingleFlight<V>,
    key: String,
    sender: watch::Sender<Slot<V>>,
}

impl<V: Clone> SingleFlight<V> {
    /// Whether the caller leads the computation of `key` or follows it.
    pub(crate) fn turn(&self, key: &str) -> Turn<'_, V> {
        let mut inflight = self
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(receiver) = inflight.get(key) {
            return Turn::Follow(receiver.clone());
        }
        let (sender, receiver) = watch::channel(None);
        inflight.insert(key.to_owned(), receiver);
        Turn::Lead(Leader {
            flight: self,
            key: key.to_owned(),
            sender,
        })
    }
}

impl<V> Leader<'_, V> {
    /// Hands `answer` to the followers (`None`: they compute their own).
    pub(crate) fn finish(self, answer: Option<V>) {
        // No follower listening is fine.
        let _ = self.sender.send(Some(answer));
    }
}

impl<V> Drop for Leader<'_, V> {
    fn drop(&mut self) {
        let mut inflight = self
            .flight
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inflight.remove(&self.key);
    }
}

/// The leader's answer, or `None` when there is none to share (it kept
/// nothing, failed or was cancelled).
pub(crate) async fn wait<V: Clone>(mut receiver: watch::Receiver<Slot<V>>) -> Option<V> {
    match receiver.wait_for(Option::is_some).await {
        Ok(slot) => slot.clone().flatten(),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    async fn answer(flight: &SingleFlight<u32>, computed: &AtomicUsize) -> u32 {
        match flight.turn("k") {
            Turn::Lead(leader) => {
                computed.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                leader.finish(Some(7));
                7
            }
            Turn::Follow(receiver) => wait(receiver).await.unwrap_or(0),
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_computation() {
        let flight = Arc::new(SingleFlight::default());
        let computed = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let flight = Arc::clone(&flight);
            let computed = Arc::clone(&computed);
            tasks.push(tokio::spawn(
                async move { answer(&flight, &computed).await },
            ));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 7);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // Finished keys are forgotten: the next caller computes again.
        answer(&flight, &computed).await;
        assert_eq!(computed.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn followers_of_a_leader_that_gives_up_get_nothing() {
        let flight = SingleFlight::<u32>::default();
        let Turn::Lead(leader) = flight.turn("k") else {
            panic!("the first caller leads");
        };
        let Turn::Follow(receiver) = flight.turn("k") else {
            panic!("the second caller follows");
        };
        drop(leader);
        assert_eq!(wait(receiver).await, None);
        assert!(matches!(flight.turn("k"), Turn::Lead(_)));
    }
}
