//! The storage interface: what the domain asks of a database, as one [`Transaction`] trait
//! with two implementations, the embedded SQLite file ([`sqlite`], the default) and
//! PostgreSQL ([`postgres`], `DATABASE_URL=postgres://…`, for several server instances).
//! Rows go in and come out as the plain records below; the meaning lives in `domain`.

mod interface;
pub mod postgres;
pub mod records;
pub mod sqlite;

pub use interface::*;
pub use records::*;

/// A shared handle to the configured database.
#[derive(Clone)]
pub enum Database {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PostgresStore),
}

impl Database {
    /// Opens (creating if needed) and migrates the database at `location`. SQLite files use
    /// `synchronous=FULL`.
    pub fn open(location: &DatabaseLocation) -> Result<Self, DatabaseOpenError> {
        Self::open_with(location, sqlite::Synchronous::Full)
    }

    /// [`Database::open`] with a chosen `PRAGMA synchronous` for SQLite.
    pub fn open_with(
        location: &DatabaseLocation,
        synchronous: sqlite::Synchronous,
    ) -> Result<Self, DatabaseOpenError> {
        match location {
            DatabaseLocation::Postgres(url) => {
                postgres::PostgresStore::open(url).map(Database::Postgres)
            }
            sqlite_location => {
                sqlite::SqliteStore::open(sqlite_location, synchronous).map(Database::Sqlite)
            }
        }
    }

    /// Runs `work` in one transaction on a blocking thread (slow disk I/O never stalls the
    /// async executor): committed if it returns `Ok`, rolled back if it returns `Err`.
    pub async fn call<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Transaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match self {
            Database::Sqlite(store) => store.call(work).await,
            Database::Postgres(store) => store.call(work).await,
        }
    }
}
