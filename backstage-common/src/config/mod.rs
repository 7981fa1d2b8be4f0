//! Configuration values (work in progress).
