//! The OpenAI-compatible adapter (written by the adapter work).
