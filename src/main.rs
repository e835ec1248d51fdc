//! `ojs-server`: the OJS HTTP server. See `ojs-server --help`.

use clap::Parser;

// The request path allocates many small JSON values; mimalloc handles that far better than glibc malloc
// under several threads (glibc's free/consolidate was half the server's CPU in profiles).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ojs_server::config::{Command, Config};

#[tokio::main]
async fn main() {
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
