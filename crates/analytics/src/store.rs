//! The fact tables' SQL.
