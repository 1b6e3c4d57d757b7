//! The library's error type: one variant per module, each carrying that module's typed error.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error(transparent)]
    Match(#[from] crate::matching::MatchError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Postgres(#[from] crate::export::postgres::PostgresError),
    #[error(transparent)]
    Playlists(#[from] crate::playlists::PlaylistsError),
    #[error(transparent)]
    Checks(#[from] crate::pipeline::checks::ChecksError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
