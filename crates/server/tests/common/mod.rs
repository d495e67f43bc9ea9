//! Shared by the server's integration tests.
#![allow(dead_code)]

pub mod api;
pub mod pg;
