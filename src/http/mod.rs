//! HTTP transport: body parsing, replies, headers, error rendering, query strings.

pub mod body;
pub mod query;
pub mod reply;

pub use body::RawBody;
pub use reply::Reply;
