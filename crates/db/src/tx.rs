//! A transaction on either backend, with work to run after it commits.
//!
//! Enqueueing a job inside a caller's transaction must wake the workers only
//! once that transaction is visible; [`Tx::after_commit`] is how.

use sqlx::{Postgres, Sqlite, Transaction};

use crate::{Backend, DbError};

type Hook = Box<dyn FnOnce() + Send>;

#[doc(hidden)]
pub enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// An open transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    inner: Inner,
    hooks: Vec<Hook>,
}

impl Tx {
    pub(crate) fn sqlite(tx: Transaction<'static, Sqlite>) -> Self {
        Self {
            inner: Inner::Sqlite(tx),
            hooks: Vec::new(),
        }
    }

    pub(crate) fn postgres(tx: Transaction<'static, Postgres>) -> Self {
        Self {
            inner: Inner::Postgres(tx),
            hooks: Vec::new(),
        }
    }

    #[doc(hidden)]
    pub fn inner_mut(&mut self) -> &mut Inner {
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Registers `hook` to run after a successful commit (never on rollback).
    pub fn after_commit(&mut self, hook: impl FnOnce() + Send + 'static) {
        self.hooks.push(Box::new(hook));
    }

    pub async fn commit(self) -> Result<(), DbError> {
        match self.inner {
            Inner::Sqlite(tx) => tx.commit().await?,
            Inner::Postgres(tx) => tx.commit().await?,
        }
        for hook in self.hooks {
            hook();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), DbError> {
        match self.inner {
            Inner::Sqlite(tx) => tx.rollback().await?,
            Inner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
