//! The commands the UI invokes. Each is a thin adapter: take arguments, call core on a blocking
//! thread through [`crate::AppState::call`], return core's answer.

pub mod app;
pub mod audit;
pub mod settings;
pub mod windows;
