//! Reference Open Job Spec server: the HTTP binding of conformance levels 0–4 over interchangeable backends.
//!
//! Layout: `model` holds the records; `levelN_*` hold each level's pure rules and HTTP handlers; `backend`
//! holds the storage trait family and one module per backend; `background` holds the tasks that sleep until
//! the next due time; `http` holds transport concerns (headers, errors, body parsing, routing).

pub mod backend;
pub mod background;
pub mod config;
pub mod error;
pub mod http;
pub mod level0_core;
pub mod level1_reliable;
pub mod level2_scheduled;
pub mod level3_workflows;
pub mod level4_advanced;
pub mod model;
pub mod server;
