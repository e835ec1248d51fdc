//! `ojs-server`: the OJS HTTP server. See `ojs-server --help`.

use clap::Parser;

// The request path allocates many small JSON values; mimalloc handles that far better than glibc malloc
// under several threads (glibc's free/consolidate was half the server's CPU in profiles).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ojs_server::config::{Command, Config};

/// mimalloc's option index of `purge_delay` (milliseconds before freed memory is returned to the OS).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Freed pages are otherwise handed back to the OS after 10 ms and zeroed again by the kernel on the
    // next batch (a third of the CPU in profiles); a second still returns idle memory promptly.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .init();
    let result = match config.command {
        Some(Command::Migrate) => migrate(&config).await,
        None => ojs_server::server::serve(config).await,
    };
    if let Err(e) = result {
        tracing::error!("{e}");
        eprintln!("ojs-server: {e}");
        std::process::exit(1);
    }
}

#[cfg(feature = "postgres")]
async fn migrate(config: &Config) -> std::io::Result<()> {
    ojs_server::backend::postgres::migrate(&config.database_url, &config.pg_schema).await.map_err(std::io::Error::other)?;
    println!("migrations applied to schema '{}'", config.pg_schema);
    Ok(())
}

#[cfg(not(feature = "postgres"))]
async fn migrate(_config: &Config) -> std::io::Result<()> {
    Err(std::io::Error::other("this build has no postgres backend; rebuild with `--features postgres`"))
}
