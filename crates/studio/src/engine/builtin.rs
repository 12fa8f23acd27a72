//! The built-in offline engine (written by the catalog work).
