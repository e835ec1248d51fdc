//! Step definitions, grouped by what they do. Every step is registered for Given, When
//! and Then alike (so `And` works after any keyword) through the `step!` macro.

/// Registers one step function under all three keywords with the same regex.
macro_rules! step {
    ($re:tt, $($item:tt)*) => {
        #[cucumber::given(regex = $re)]
        #[cucumber::when(regex = $re)]
        #[cucumber::then(regex = $re)]
        $($item)*
    };
}

mod assertions;
mod concurrency;
mod extra;
mod fixtures;
mod peer;
mod requests;
pub mod sql;
mod waiting;
