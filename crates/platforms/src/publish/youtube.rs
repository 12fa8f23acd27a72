//! Publishing to youtube (see the module docs of `publish`).
