//! `backend.cors`: tower-http's CORS layer, when configured.
//!
//! The whole service is cloned for every request, and a CORS layer carries
//! its whole configuration; so the configuration sits behind an `Arc` and
//! the layer is put around the inner service per request only when CORS is
//! configured. Without it a request pays nothing.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::Either;
use tower::{Layer, Service};
use tower_http::cors::{CorsLayer, ResponseFuture};

/// Applies `backend.cors`, if configured.
#[derive(Clone)]
pub(crate) struct MaybeCorsLayer {
    cors: Option<Arc<CorsLayer>>,
}

impl MaybeCorsLayer {
    pub(crate) fn new(cors: Option<CorsLayer>) -> Self {
        Self {
            cors: cors.map(Arc::new),
        }
    }
}

impl<S> Layer<S> for MaybeCorsLayer {
    type Service = MaybeCors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MaybeCors {
            inner,
            cors: self.cors.clone(),
        }
    }
}

/// The service of [`MaybeCorsLayer`].
#[derive(Clone)]
pub(crate) struct MaybeCors<S> {
    inner: S,
    cors: Option<Arc<CorsLayer>>,
}

impl<S> Service<Request> for MaybeCors<S>
where
    S: Service<Request, Response = Response> + Clone,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<ResponseFuture<S::Future>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match &self.cors {
            Some(cors) => {
                // The inner service that was polled ready goes into the CORS
                // layer; a clone takes its place. The configuration was
                // checked when the settings were read.
                let clone = self.inner.clone();
                let ready = std::mem::replace(&mut self.inner, clone);
                Either::Left(CorsLayer::clone(cors).layer(ready).call(request))
            }
            None => Either::Right(self.inner.call(request)),
        }
    }
}
