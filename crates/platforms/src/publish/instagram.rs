//! Publishing to instagram (see the module docs of `publish`).
