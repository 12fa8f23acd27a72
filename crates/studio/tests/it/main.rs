//! The studio against a real database and the sandbox.

mod openai;
