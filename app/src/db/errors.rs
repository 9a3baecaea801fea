//! Database constraint violations become 4xx errors. PostgreSQL reports the
//! constraint's name; SQLite reports `UNIQUE constraint failed: table.col`, which we
//! turn into PostgreSQL's default name (`table_col_key`) so callers match one name.
use crate::error::AppError;

pub fn constraint_name(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    if let Some(name) = db.constraint() {
        return Some(name.to_string());
    }
    let msg = db.message();
    let cols = msg.strip_prefix("UNIQUE constraint failed: ")?;
    let mut table = "";
    let mut names = Vec::new();
    for col in cols.split(", ") {
        let (t, c) = col.split_once('.')?;
        table = t;
        names.push(c);
    }
    Some(format!("{table}_{}_key", names.join("_")))
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            _ => {
                if let Some(db) = err.as_database_error() {
                    // PostgreSQL refuses NUL in text (22021) and in JSON (22P05): the
                    // input was bad, not the server.
                    if matches!(db.code().as_deref(), Some("22021") | Some("22P05")) {
                        return AppError::BadRequest("text may not contain NUL characters".into());
                    }
                    if db.is_unique_violation() {
                        return AppError::Conflict(match constraint_name(&err).as_deref() {
                            Some("agents_email_key") => "an agent with that email already exists".into(),
                            Some("inboxes_name_key") => "an inbox with that name already exists".into(),
                            _ => "that already exists".into(),
                        });
                    }
                    if db.is_foreign_key_violation() {
                        return AppError::BadRequest("a referenced record does not exist".into());
                    }
                    if db.is_check_violation() {
                        return AppError::Unprocessable("a value is out of range".into());
                    }
                }
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}
