//! The studio against a real database (both engines) and, for the
//! OpenAI-compatible adapter, the sandbox's simulator.

mod service;
