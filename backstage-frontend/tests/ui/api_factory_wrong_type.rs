use std::sync::Arc;

use backstage_frontend::{ApiRef, create_api_extension};

trait Clock: Send + Sync {}
struct Wall;
const CLOCK_API: ApiRef<dyn Clock> = ApiRef::new("test.clock");

fn main() {
    let _ = create_api_extension! {
        api: CLOCK_API,
        factory: |_apis| Ok(Arc::new(Wall)),
    };
}
