//! Publishing to facebook (see the module docs of `publish`).
