//! The studio against a real database (both engines), the built-in
//! engine against the shipped catalog, and the OpenAI-compatible adapter
//! against the sandbox's simulator.

mod builtin;
mod openai;
mod service;
