//! Statements built at run time with their values bound as they are written, and, on
//! SQLite, several of them sent in one call. Every statement on SQLite is a trip to
//! the connection's thread and back to the task that waits for it; under load each
//! trip waits for both to be scheduled (a `SELECT 1` took 60–100 µs at p50 and
//! 200–300 µs on average in the middle of a batch during the bench's ingest, on a
//! busy machine), so a writer whose statements need no answer in between sends them
//! together.
//! PostgreSQL's extended protocol takes one statement a query: there each statement
//! runs as it is added.
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyConnection, Arguments, Encode, FromRow, Type};

pub struct Script<'q> {
    sql: String,
    args: AnyArguments<'q>,
    /// SQLite: the statements wait for [`Script::run`] and go together.
    together: bool,
    /// A value the `Any` driver could not encode, returned by the next run.
    refused: Option<sqlx::Error>,
}

impl<'q> Script<'q> {
    pub fn new(conn: &AnyConnection) -> Script<'q> {
        Script { sql: String::new(), args: AnyArguments::default(), together: conn.backend_name() == "SQLite", refused: None }
    }

    /// A script for SQLite, whose statements go together.
    pub fn sqlite() -> Script<'q> {
        Script { sql: String::new(), args: AnyArguments::default(), together: true, refused: None }
    }

    /// Puts `statement`, which binds nothing, before the statements waiting.
    pub fn prepend(&mut self, statement: &str) {
        self.sql = if self.sql.is_empty() { statement.to_string() } else { format!("{statement};\n{}", self.sql) };
    }

    /// Whether the statements added wait to go together (SQLite).
    pub fn together(&self) -> bool {
        self.together
    }

    /// Binds `value` and returns its placeholder, for the statement being written:
    /// placeholders must appear in the text in the order their values were bound.
    /// SQLite's are positional (`?`), which it binds in order across the statements of
    /// one call (a numbered `?N` would leave earlier numbers unnamed in a later
    /// statement, which sqlx binds positionally past the end); PostgreSQL's `$N`.
    pub fn bind<T>(&mut self, value: T) -> String
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        if let Err(e) = self.args.add(value) {
            self.refused.get_or_insert(sqlx::Error::Encode(e));
        }
        if self.together {
            "?".to_string()
        } else {
            format!("${}", self.args.len())
        }
    }

    /// Adds a statement written with [`Script::bind`]'s placeholders; on PostgreSQL it
    /// runs now.
    pub async fn add(&mut self, conn: &mut AnyConnection, statement: &str) -> Result<(), sqlx::Error> {
        self.push(statement);
        if !self.together {
            self.run(conn).await?;
        }
        Ok(())
    }

    /// Runs the statements waiting (SQLite); nothing when there are none.
    pub async fn run(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let (sql, args) = self.take()?;
        let _: AnyQueryResult = sqlx::query_with(&sql, args).execute(conn).await?;
        Ok(())
    }

    /// Runs `statement` (with the statements waiting before it) and returns its rows.
    pub async fn fetch<R>(self, conn: &mut AnyConnection, statement: &str) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> FromRow<'r, AnyRow>,
    {
        self.fetch_rows(conn, statement).await?.iter().map(R::from_row).collect()
    }

    /// [`Script::fetch`], the rows as they come (of every statement that returns any).
    pub async fn fetch_rows(mut self, conn: &mut AnyConnection, statement: &str) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.push(statement);
        let (sql, args) = self.take()?;
        sqlx::query_with(&sql, args).fetch_all(conn).await
    }

    fn push(&mut self, statement: &str) {
        if !self.sql.is_empty() {
            self.sql.push_str(";\n");
        }
        self.sql.push_str(statement);
    }

    fn take(&mut self) -> Result<(String, AnyArguments<'q>), sqlx::Error> {
        if let Some(e) = self.refused.take() {
            return Err(e);
        }
        Ok((std::mem::take(&mut self.sql), std::mem::take(&mut self.args)))
    }
}
